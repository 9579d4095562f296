using System.CommandLine;
using Infra.Ctl.Cli;
using Infra.Ctl.Output;
using Infra.V1;
using Command = System.CommandLine.Command;

namespace Infra.Ctl.Commands;

/// <summary>infractl network create|get|list|update|delete|allocations</summary>
public static class NetworkCommands
{
    const string SubnetHelp = "Subnet CIDR[,gateway=IP][,dns=IP;IP][,range=FIRST-LAST][,route=DEST@NEXTHOP] (repeatable)";

    public static Command Build(CommandKit kit)
    {
        var noun = new Command("network", "Networks: a tenant's L2 segments and their subnets");

        var tenant = Opt.Tenant(true); var name = Opt.Name(true, "network"); var labels = Opt.Labels();
        var subnets = new Option<string[]>("--subnet") { Description = SubnetHelp };
        var mtu = new Option<uint>("--mtu") { Description = "Guest MTU (default 1450)" };
        noun.Subcommands.Add(kit.Unary(new Command("create", "Create a network") { tenant, name, subnets, mtu, labels }, (c, r, o) => c.Networks.CreateNetworkAsync(r, o),
            (p, rc) => new CreateNetworkRequest
            {
                RequestId = rc.RequestId, TenantId = p.GetValue(tenant)!, Name = p.GetValue(name)!, Mtu = p.GetValue(mtu),
                Subnets = { (p.GetValue(subnets) ?? []).Select(Specs.Subnet) }, Labels = { Specs.Labels(p.GetValue(labels)) },
            },
            (r, w) => Render.Networks([r], w)));

        var id = Opt.Id("network");
        noun.Subcommands.Add(kit.Unary(new Command("get", "Show one network") { id }, (c, r, o) => c.Networks.GetNetworkAsync(r, o),
            (p, _) => new GetNetworkRequest { Id = p.GetValue(id)! }, (r, w) => Render.Networks([r], w)));

        var ltenant = Opt.Tenant(false); var size = Opt.PageSize(); var token = Opt.PageToken();
        noun.Subcommands.Add(kit.Unary(new Command("list", "List networks (of one tenant with --tenant)") { ltenant, size, token }, (c, r, o) => c.Networks.ListNetworksAsync(r, o),
            (p, _) => new ListNetworksRequest { TenantId = p.GetValue(ltenant) ?? "", Page = Opt.Page(p, size, token) },
            (r, w) => { Render.Networks(r.Networks, w); Opt.MorePages(r.Page, w); }));

        var uid = Opt.Id("network"); var add = new Option<string[]>("--add-subnet") { Description = SubnetHelp };
        var ulabels = Opt.Labels(); var clear = new Option<bool>("--clear-labels") { Description = "Remove all labels" }; var rev = Opt.ExpectedRevision();
        noun.Subcommands.Add(kit.Unary(new Command("update", "Add subnets or replace labels") { uid, add, ulabels, clear, rev }, (c, r, o) => c.Networks.UpdateNetworkAsync(r, o),
            (p, _) =>
            {
                var labelList = p.GetValue(ulabels) ?? [];
                return new UpdateNetworkRequest
                {
                    Id = p.GetValue(uid)!, AddSubnets = { (p.GetValue(add) ?? []).Select(Specs.Subnet) },
                    SetLabels = labelList.Length > 0 || p.GetValue(clear), Labels = { Specs.Labels(labelList) }, ExpectedRevision = p.GetValue(rev),
                };
            },
            (r, w) => Render.Networks([r], w)));

        var did = Opt.Id("network");
        noun.Subcommands.Add(kit.Unary(new Command("delete", "Delete a network (no ports may use it)") { did }, (c, r, o) => c.Networks.DeleteNetworkAsync(r, o),
            (p, _) => new DeleteNetworkRequest { Id = p.GetValue(did)! }, (q, r, w) => Render.Deleted("network", q.Id, r.Revision, w)));

        var aid = Opt.Id("network"); var asize = Opt.PageSize(); var atoken = Opt.PageToken();
        noun.Subcommands.Add(kit.Unary(new Command("allocations", "List the addresses IPAM handed out") { aid, asize, atoken }, (c, r, o) => c.Networks.ListAllocationsAsync(r, o),
            (p, _) => new ListAllocationsRequest { NetworkId = p.GetValue(aid)!, Page = Opt.Page(p, asize, atoken) },
            (r, w) => { Render.Allocations(r.Allocations, w); Opt.MorePages(r.Page, w); }));
        return noun;
    }
}
