using System.Text.RegularExpressions;
using Infra.Conventions.Tests.Support;

namespace Infra.Conventions.Tests;

/// <summary>
/// Every RPC declared in proto/ has an authorization rule in MethodRules (issue 11: "every RPC has a
/// declared authorization rule"), read from the sources so a new .proto method fails here before
/// anything compiles. Infra.Controller.Api.Tests' MethodRulesTests checks the same against the generated
/// descriptors and the table as it runs; a method without a rule is refused at run time (NO_RULE).
/// </summary>
public sealed partial class MethodRulesTests
{
    const string RulesFile = "controller/Infra.Controller.Api/Auth/MethodRules.cs";

    [GeneratedRegex(@"^\s*package\s+([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex Package();

    // A service block ends at the first closing brace at the start of a line.
    [GeneratedRegex(@"^service\s+(\w+)\s*\{(.*?)^\}", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Service();

    [GeneratedRegex(@"\brpc\s+(\w+)\s*\(")]
    private static partial Regex Rpc();

    [GeneratedRegex(@"\[""(/[\w.]+/\w+)""\]\s*=\s*(\w+)")]
    private static partial Regex RuleEntry();

    [GeneratedRegex(@"//[^\n]*")]
    private static partial Regex LineComment();

    static List<string> DeclaredRpcs()
    {
        var rpcs = new List<string>();
        foreach (var file in RepoTree.Files(".proto", "proto"))
        {
            var text = LineComment().Replace(RepoTree.ReadText(file), "");
            if (Package().Match(text) is not { Success: true } package) continue;
            foreach (Match service in Service().Matches(text))
                foreach (Match rpc in Rpc().Matches(service.Groups[2].Value))
                    rpcs.Add($"/{package.Groups[1].Value}.{service.Groups[1].Value}/{rpc.Groups[1].Value}");
        }
        return rpcs;
    }

    static Dictionary<string, string> Rules() =>
        RuleEntry().Matches(RepoTree.ReadText(RulesFile)).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal);

    [Fact]
    public void EveryRpcInTheProtoFiles_HasAnAuthorizationRule()
    {
        var rpcs = DeclaredRpcs();
        Assert.Contains("/infra.v1.Instances/CreateInstance", rpcs);
        Assert.Contains("/infra.v1.CommandRelay/Run", rpcs);
        var rules = Rules();
        var missing = rpcs.Where(r => !rules.ContainsKey(r)).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0,
            $"these RPCs have no authorization rule, so the controller refuses them (NO_RULE); add a line for each to {RulesFile} " +
            "(AdminOnly, TenantRead, TenantWrite, HostOnly, ReplicaOnly or Open):\n  " + string.Join("\n  ", missing));
    }

    [Fact]
    public void EveryRule_NamesAKnownKind()
    {
        string[] kinds = ["Open", "AdminOnly", "TenantRead", "TenantWrite", "HostOnly", "ReplicaOnly"];
        var rules = Rules();
        Assert.True(rules.Count > 50, $"only {rules.Count} rules parsed from {RulesFile}; has the table's shape changed?");
        var odd = rules.Where(r => !kinds.Contains(r.Value)).Select(r => $"{r.Key} = {r.Value}").ToList();
        Assert.True(odd.Count == 0, "rules of no known kind: " + string.Join(", ", odd));
    }
}
