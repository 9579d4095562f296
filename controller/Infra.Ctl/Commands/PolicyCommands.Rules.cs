using System.CommandLine;
using Infra.Ctl.Cli;
using Infra.Ctl.Errors;
using Infra.Ctl.Output;
using Grpc.Core;
using Infra.V1;
using Command = System.CommandLine.Command;

namespace Infra.Ctl.Commands;

public static partial class PolicyCommands
{
    /// <summary>Read-modify-write attempts before giving up on a policy that keeps changing under us.</summary>
    const int MaxAttempts = 3;

    static Command RuleCommands(CommandKit kit)
    {
        var rule = new Command("rule", "Add or remove one rule (reads the policy, updates it with expected_revision)");

        var id = Opt.Id("policy");
        var direction = Opt.Choice("--direction", "ingress or egress", "ingress", "egress"); direction.Required = true;
        var protocol = Opt.Choice("--protocol", "Protocol (default any)", "any", "tcp", "udp", "icmp", "icmpv6");
        var ports = new Option<string>("--ports") { Description = "Port or range, e.g. 22 or 8000-8080 (tcp/udp)" };
        var cidr = new Option<string>("--remote-cidr") { Description = "The other end's addresses, e.g. 0.0.0.0/0" };
        var remotePolicy = new Option<string>("--remote-policy") { Description = "The other end is any port with this policy" };
        var ipVersion = Opt.Choice("--ip-version", "4 or 6 (default both)", "4", "6");
        var desc = new Option<string>("--description") { Description = "Free text" };
        var add = new Command("add", "Add a rule to a policy") { id, direction, protocol, ports, cidr, remotePolicy, ipVersion, desc };
        Rule NewRule(ParseResult p) => Specs.Rule(p.GetValue(direction), p.GetValue(protocol), p.GetValue(ports), p.GetValue(cidr),
            p.GetValue(remotePolicy), p.GetValue(ipVersion), p.GetValue(desc));
        rule.Subcommands.Add(kit.Custom(add, null, s => ModifyAsync(s, s.Parse.GetValue(id)!, policy => WithRuleAdded(policy, NewRule(s.Parse)))));

        var rid = Opt.Id("policy"); var ruleId = new Argument<string>("rule-id") { Description = "The rule's id (see 'policy get')" };
        var remove = new Command("remove", "Remove a rule from a policy") { rid, ruleId };
        rule.Subcommands.Add(kit.Custom(remove, null, s => ModifyAsync(s, s.Parse.GetValue(rid)!, policy => WithRuleRemoved(policy, s.Parse.GetValue(ruleId)!))));
        return rule;
    }

    /// <summary>The update that adds <paramref name="rule"/>, guarded by the revision that was read.</summary>
    public static UpdatePolicyRequest WithRuleAdded(Policy current, Rule rule) => new()
    {
        Id = current.Meta.Id, Rules = { current.Rules, rule }, ExpectedRevision = current.Meta.Revision,
    };

    public static UpdatePolicyRequest WithRuleRemoved(Policy current, string ruleId)
    {
        if (current.Rules.All(r => r.Id != ruleId))
            throw new CtlException($"policy {current.Meta.Id} has no rule {ruleId} (rules: {string.Join(", ", current.Rules.Select(r => r.Id))})", ExitCodes.NotFound);
        return new UpdatePolicyRequest { Id = current.Meta.Id, Rules = { current.Rules.Where(r => r.Id != ruleId) }, ExpectedRevision = current.Meta.Revision };
    }

    // A concurrent change makes the update fail with ABORTED; reading again and reapplying is safe because
    // the edit is expressed against whatever the policy holds now.
    static async Task<int> ModifyAsync(CtlSession s, string id, Func<Policy, UpdatePolicyRequest> edit)
    {
        for (var attempt = 1; ; attempt++)
        {
            var current = await s.Rpc.Policies.GetPolicyAsync(new GetPolicyRequest { Id = id }, s.Call());
            try
            {
                var updated = await s.Rpc.Policies.UpdatePolicyAsync(edit(current), s.Call());
                s.Print(updated, Render.Policy);
                return ExitCodes.Ok;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Aborted && attempt < MaxAttempts) { }
        }
    }
}
