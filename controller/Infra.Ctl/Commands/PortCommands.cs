using System.CommandLine;
using Infra.Ctl.Cli;
using Infra.Ctl.Output;
using Infra.V1;
using Command = System.CommandLine.Command;

namespace Infra.Ctl.Commands;

/// <summary>infractl port create|get|list|update|delete</summary>
public static class PortCommands
{
    public static Command Build(CommandKit kit)
    {
        var noun = new Command("port", "Ports: VM network interfaces, their addresses and policies");

        var network = new Option<string>("--network") { Description = "The network id", Required = true };
        var name = Opt.Name(false, "port"); var labels = Opt.Labels();
        var mac = new Option<string>("--mac") { Description = "MAC address (default: assigned)" };
        var ips = new Option<string[]>("--fixed-ip") { Description = "ADDRESS or SUBNET_CIDR=ADDRESS (repeatable; default one per subnet)" };
        var policies = new Option<string[]>("--policy") { Description = "Policy id (repeatable; default the tenant's default policy)" };
        noun.Subcommands.Add(kit.Unary(new Command("create", "Create a port") { network, name, mac, ips, policies, labels }, (c, r, o) => c.Ports.CreatePortAsync(r, o),
            (p, rc) => new CreatePortRequest
            {
                RequestId = rc.RequestId, NetworkId = p.GetValue(network)!, Name = p.GetValue(name) ?? "", MacAddress = p.GetValue(mac) ?? "",
                FixedIps = { (p.GetValue(ips) ?? []).Select(Specs.FixedIp) }, PolicyIds = { p.GetValue(policies) ?? [] },
                Labels = { Specs.Labels(p.GetValue(labels)) },
            },
            (r, w) => Render.Ports([r], w)));

        var id = Opt.Id("port");
        noun.Subcommands.Add(kit.Unary(new Command("get", "Show one port") { id }, (c, r, o) => c.Ports.GetPortAsync(r, o),
            (p, _) => new GetPortRequest { Id = p.GetValue(id)! }, (r, w) => Render.Ports([r], w)));

        var ltenant = Opt.Tenant(false); var lnet = new Option<string>("--network") { Description = "Only ports on this network" };
        var linst = new Option<string>("--instance") { Description = "Only ports of this instance" }; var size = Opt.PageSize(); var token = Opt.PageToken();
        noun.Subcommands.Add(kit.Unary(new Command("list", "List ports") { ltenant, lnet, linst, size, token }, (c, r, o) => c.Ports.ListPortsAsync(r, o),
            (p, _) => new ListPortsRequest { TenantId = p.GetValue(ltenant) ?? "", NetworkId = p.GetValue(lnet) ?? "", InstanceId = p.GetValue(linst) ?? "", Page = Opt.Page(p, size, token) },
            (r, w) => { Render.Ports(r.Ports, w); Opt.MorePages(r.Page, w); }));

        var uid = Opt.Id("port"); var upol = new Option<string[]>("--policy") { Description = "Policy id (repeatable); replaces all policies" };
        var noPol = new Option<bool>("--no-policies") { Description = "Remove all policies (the port then allows nothing)" };
        var ulabels = Opt.Labels(); var clear = new Option<bool>("--clear-labels") { Description = "Remove all labels" }; var rev = Opt.ExpectedRevision();
        noun.Subcommands.Add(kit.Unary(new Command("update", "Replace a port's policies or labels") { uid, upol, noPol, ulabels, clear, rev }, (c, r, o) => c.Ports.UpdatePortAsync(r, o),
            (p, _) =>
            {
                var pol = p.GetValue(upol) ?? []; var lab = p.GetValue(ulabels) ?? [];
                if (pol.Length > 0 && p.GetValue(noPol)) throw new Errors.UsageException("--policy and --no-policies exclude each other");
                return new UpdatePortRequest
                {
                    Id = p.GetValue(uid)!, SetPolicies = pol.Length > 0 || p.GetValue(noPol), PolicyIds = { pol },
                    SetLabels = lab.Length > 0 || p.GetValue(clear), Labels = { Specs.Labels(lab) }, ExpectedRevision = p.GetValue(rev),
                };
            },
            (r, w) => Render.Ports([r], w)));

        var did = Opt.Id("port");
        noun.Subcommands.Add(kit.Unary(new Command("delete", "Delete a port (not while attached)") { did }, (c, r, o) => c.Ports.DeletePortAsync(r, o),
            (p, _) => new DeletePortRequest { Id = p.GetValue(did)! }, (q, r, w) => Render.Deleted("port", q.Id, r.Revision, w)));
        return noun;
    }
}
