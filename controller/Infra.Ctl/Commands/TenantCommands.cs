using System.CommandLine;
using Infra.Ctl.Cli;
using Infra.Ctl.Output;
using Infra.V1;
using Command = System.CommandLine.Command;

namespace Infra.Ctl.Commands;

/// <summary>infractl tenant create|get|list|update|delete</summary>
public static class TenantCommands
{
    public static Command Build(CommandKit kit)
    {
        var noun = new Command("tenant", "Tenants: the unit of isolation");

        var name = new Argument<string>("name") { Description = "The tenant's name, unique in the cluster" };
        var labels = Opt.Labels();
        noun.Subcommands.Add(kit.Unary(new Command("create", "Create a tenant (with its default policy)") { name, labels }, (c, r, o) => c.Tenants.CreateTenantAsync(r, o),
            (p, rc) => new CreateTenantRequest { RequestId = rc.RequestId, Name = p.GetValue(name)!, Labels = { Specs.Labels(p.GetValue(labels)) } },
            (r, w) => Render.Tenants([r], w)));

        var id = Opt.Id("tenant");
        noun.Subcommands.Add(kit.Unary(new Command("get", "Show one tenant") { id }, (c, r, o) => c.Tenants.GetTenantAsync(r, o),
            (p, _) => new GetTenantRequest { Id = p.GetValue(id)! }, (r, w) => Render.Tenants([r], w)));

        var size = Opt.PageSize(); var token = Opt.PageToken(); var selector = new Option<string[]>("--selector") { Description = "Only tenants with this label key=value (repeatable)" };
        noun.Subcommands.Add(kit.Unary(new Command("list", "List tenants") { size, token, selector }, (c, r, o) => c.Tenants.ListTenantsAsync(r, o),
            (p, _) => new ListTenantsRequest { Page = Opt.Page(p, size, token), LabelSelector = { Specs.Labels(p.GetValue(selector)) } },
            (r, w) => { Render.Tenants(r.Tenants, w); Opt.MorePages(r.Page, w); }));

        var uid = Opt.Id("tenant"); var ulabels = Opt.Labels(); var rev = Opt.ExpectedRevision();
        var clear = new Option<bool>("--clear-labels") { Description = "Remove all labels" };
        noun.Subcommands.Add(kit.Unary(new Command("update", "Replace a tenant's labels (all of them: pass every --label to keep)") { uid, ulabels, clear, rev }, (c, r, o) => c.Tenants.UpdateTenantAsync(r, o),
            (p, _) =>
            {
                // UpdateTenant always replaces the labels, so an update without any would silently wipe them.
                var labels = p.GetValue(ulabels) ?? [];
                if (labels.Length == 0 && !p.GetValue(clear)) throw new Errors.UsageException("tenant update replaces all labels: pass every --label to keep, or --clear-labels");
                return new UpdateTenantRequest { Id = p.GetValue(uid)!, Labels = { Specs.Labels(labels) }, ExpectedRevision = p.GetValue(rev) };
            },
            (r, w) => Render.Tenants([r], w)));

        var did = Opt.Id("tenant");
        noun.Subcommands.Add(kit.Unary(new Command("delete", "Delete a tenant (it must own nothing any more)") { did }, (c, r, o) => c.Tenants.DeleteTenantAsync(r, o),
            (p, _) => new DeleteTenantRequest { Id = p.GetValue(did)! }, (q, r, w) => Render.Deleted("tenant", q.Id, r.Revision, w)));
        return noun;
    }
}
