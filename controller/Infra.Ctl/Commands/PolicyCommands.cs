using System.CommandLine;
using Infra.Ctl.Cli;
using Infra.Ctl.Output;
using Infra.V1;
using Command = System.CommandLine.Command;

namespace Infra.Ctl.Commands;

/// <summary>infractl policy create|get|list|update|delete and policy rule add|remove</summary>
public static partial class PolicyCommands
{
    const string RuleHelp = "Rule direction=ingress|egress[,protocol=tcp|udp|icmp|icmpv6|any][,ports=N[-M]][,cidr=CIDR|,remote-policy=ID][,ip-version=4|6][,description=TEXT] (repeatable)";

    public static Command Build(CommandKit kit)
    {
        var noun = new Command("policy", "Security policies: stateful allow rules, everything else is dropped");

        var tenant = Opt.Tenant(true); var name = Opt.Name(true, "policy"); var labels = Opt.Labels();
        var desc = new Option<string>("--description") { Description = "Free text for operators" };
        var rules = new Option<string[]>("--rule") { Description = RuleHelp };
        noun.Subcommands.Add(kit.Unary(new Command("create", "Create a policy") { tenant, name, desc, rules, labels }, (c, r, o) => c.Policies.CreatePolicyAsync(r, o),
            (p, rc) => new CreatePolicyRequest
            {
                RequestId = rc.RequestId, TenantId = p.GetValue(tenant)!, Name = p.GetValue(name)!, Description = p.GetValue(desc) ?? "",
                Rules = { (p.GetValue(rules) ?? []).Select(Specs.RuleSpec) }, Labels = { Specs.Labels(p.GetValue(labels)) },
            },
            (r, w) => Render.Policy(r, w)));

        var id = Opt.Id("policy");
        noun.Subcommands.Add(kit.Unary(new Command("get", "Show a policy and its rules") { id }, (c, r, o) => c.Policies.GetPolicyAsync(r, o),
            (p, _) => new GetPolicyRequest { Id = p.GetValue(id)! }, (r, w) => Render.Policy(r, w)));

        var ltenant = Opt.Tenant(false); var size = Opt.PageSize(); var token = Opt.PageToken();
        noun.Subcommands.Add(kit.Unary(new Command("list", "List policies") { ltenant, size, token }, (c, r, o) => c.Policies.ListPoliciesAsync(r, o),
            (p, _) => new ListPoliciesRequest { TenantId = p.GetValue(ltenant) ?? "", Page = Opt.Page(p, size, token) },
            (r, w) => { Render.Policies(r.Policies, w); Opt.MorePages(r.Page, w); }));

        var uid = Opt.Id("policy"); var urules = new Option<string[]>("--rule") { Description = RuleHelp + "; replaces ALL rules" };
        var noRules = new Option<bool>("--no-rules") { Description = "Replace the rules with none (allow nothing)" };
        var udesc = new Option<string>("--description") { Description = "New description" }; var rev = Opt.ExpectedRevision();
        var update = new Command("update", "Replace a policy's rules (all of them) and/or its description") { uid, urules, noRules, udesc, rev };
        update.Validators.Add(r =>
        {
            if (r.GetValue(urules) is { Length: > 0 } && r.GetValue(noRules)) r.AddError("--rule and --no-rules exclude each other");
        });
        noun.Subcommands.Add(kit.Unary(update, (c, r, o) => c.Policies.UpdatePolicyAsync(r, o),
            (p, _) => BuildUpdate(p.GetValue(uid)!, p.GetValue(urules), p.GetValue(noRules), p.GetValue(udesc), p.GetValue(rev)),
            (r, w) => Render.Policy(r, w)));

        var did = Opt.Id("policy");
        noun.Subcommands.Add(kit.Unary(new Command("delete", "Delete a policy (no port or rule may refer to it)") { did }, (c, r, o) => c.Policies.DeletePolicyAsync(r, o),
            (p, _) => new DeletePolicyRequest { Id = p.GetValue(did)! }, (q, r, w) => Render.Deleted("policy", q.Id, r.Revision, w)));

        noun.Subcommands.Add(RuleCommands(kit));
        return noun;
    }

    /// <summary>
    /// UpdatePolicy replaces the whole rule list, so sending it without rules would wipe them: a description-only
    /// update is refused unless --no-rules says that is meant. Keeping rules while changing the description goes
    /// through "policy get" + "--rule" for each, or a read-modify-write like "policy rule add".
    /// </summary>
    public static UpdatePolicyRequest BuildUpdate(string id, string[]? rules, bool noRules, string? description, long expectedRevision)
    {
        if ((rules is null || rules.Length == 0) && !noRules)
            throw new Errors.UsageException("policy update replaces all rules: pass every --rule to keep, or --no-rules to allow nothing");
        return new UpdatePolicyRequest
        {
            Id = id, Rules = { (rules ?? []).Select(Specs.RuleSpec) }, ExpectedRevision = expectedRevision,
            SetDescription = description is not null, Description = description ?? "",
        };
    }
}
