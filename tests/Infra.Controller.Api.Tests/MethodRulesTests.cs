using System.Reflection;
using Google.Protobuf.Reflection;
using Infra.Controller.Api.Auth;

namespace Infra.Controller.Api.Tests;

/// <summary>
/// Every RPC the controller can serve has an authorization rule, enumerated from the generated
/// descriptors: a new .proto service or method fails here until MethodRules has a line for it (and until
/// then the call is refused at run time, NO_RULE). Conventions.Tests checks the same from the source.
/// </summary>
public sealed class MethodRulesTests
{
    /// <summary>Every file descriptor generated into Infra.Contracts (its "*Reflection" classes), plus health and reflection.</summary>
    static IEnumerable<FileDescriptor> Files()
    {
        var contracts = typeof(Infra.V1.Instances).Assembly;
        foreach (var type in contracts.GetTypes().Where(t => t.IsClass && t.IsAbstract && t.IsSealed && t.Name.EndsWith("Reflection", StringComparison.Ordinal)))
            if (type.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) is FileDescriptor file)
                yield return file;
        yield return Grpc.Health.V1.HealthReflection.Descriptor;
        yield return Grpc.Reflection.V1.ReflectionReflection.Descriptor;
        yield return Grpc.Reflection.V1Alpha.ReflectionReflection.Descriptor;
    }

    static List<string> Methods() =>
        Files().SelectMany(f => f.Services).SelectMany(s => s.Methods.Select(m => $"/{s.FullName}/{m.Name}")).Distinct().Order().ToList();

    [Fact]
    public void EveryRpc_HasAnAuthorizationRule()
    {
        var methods = Methods();
        Assert.Contains("/infra.v1.Instances/CreateInstance", methods);
        Assert.Contains("/infra.v1.AgentSession/Connect", methods);
        var missing = methods.Where(m => MethodRules.Find(m) is null).ToList();
        Assert.True(missing.Count == 0, $"RPCs without an authorization rule (add them to controller/Infra.Controller.Api/Auth/MethodRules.cs): {string.Join(", ", missing)}");
    }

    [Fact]
    public void EveryRule_NamesAnRpcThatExists()
    {
        var methods = Methods().ToHashSet();
        var stale = MethodRules.All.Keys.Where(k => !methods.Contains(k)).ToList();
        Assert.True(stale.Count == 0, $"rules for RPCs no contract defines (typo, or the RPC was removed): {string.Join(", ", stale)}");
    }
}
