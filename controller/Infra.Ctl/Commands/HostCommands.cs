using System.CommandLine;
using Infra.Ctl.Cli;
using Infra.Ctl.Errors;
using Infra.Ctl.Output;
using Infra.V1;
using Command = System.CommandLine.Command;

namespace Infra.Ctl.Commands;

/// <summary>infractl host list|get|cordon|drain|uncordon|update</summary>
public static class HostCommands
{
    public static Command Build(CommandKit kit)
    {
        var noun = new Command("host", "Hosts: hypervisors, registered by their agents");

        var state = Opt.Choice("--state", "Only hosts in this state", Enums.Names<HostState>()); var size = Opt.PageSize(); var token = Opt.PageToken();
        noun.Subcommands.Add(kit.Unary(new Command("list", "List hosts") { state, size, token }, (c, r, o) => c.Hosts.ListHostsAsync(r, o),
            (p, _) => new ListHostsRequest { State = p.GetValue(state) is { } st ? Enums.Parse<HostState>(st, "--state") : HostState.Unspecified, Page = Opt.Page(p, size, token) },
            (r, w) => { Render.Hosts(r.Hosts, w); Opt.MorePages(r.Page, w); }));

        var id = Opt.Id("host");
        noun.Subcommands.Add(kit.Unary(new Command("get", "Show one host") { id }, (c, r, o) => c.Hosts.GetHostAsync(r, o),
            (p, _) => new GetHostRequest { Id = p.GetValue(id)! }, (r, w) => Render.Hosts([r], w)));

        var cid = Opt.Id("host"); var reason = new Option<string>("--reason") { Description = "Why, for other operators" };
        noun.Subcommands.Add(kit.Unary(new Command("cordon", "Stop placing new instances on a host") { cid, reason }, (c, r, o) => c.Hosts.CordonHostAsync(r, o),
            (p, _) => new CordonHostRequest { Id = p.GetValue(cid)!, Reason = p.GetValue(reason) ?? "" }, (r, w) => Render.Hosts([r], w)));

        var did = Opt.Id("host"); var dry = new Option<bool>("--dry-run") { Description = "Only report what would move and what blocks" };
        noun.Subcommands.Add(kit.Unary(new Command("drain", "Cordon a host and move its instances away") { did, dry }, (c, r, o) => c.Hosts.DrainHostAsync(r, o),
            (p, _) => new DrainHostRequest { Id = p.GetValue(did)!, DryRun = p.GetValue(dry) }, (q, r, w) => Render.Drain(r, w, q.DryRun)));

        var uid = Opt.Id("host");
        noun.Subcommands.Add(kit.Unary(new Command("uncordon", "Allow placement on a host again") { uid }, (c, r, o) => c.Hosts.UncordonHostAsync(r, o),
            (p, _) => new UncordonHostRequest { Id = p.GetValue(uid)! }, (r, w) => Render.Hosts([r], w)));

        noun.Subcommands.Add(Update(kit));
        return noun;
    }

    static Command Update(CommandKit kit)
    {
        var id = Opt.Id("host");
        var cpu = new Option<double?>("--cpu-ratio") { Description = "MHz sold per physical MHz" };
        var mem = new Option<double?>("--memory-ratio") { Description = "Memory sold per physical MiB" };
        var reserve = new Option<ulong?>("--memory-reserve") { Description = "MiB kept for the host itself" };
        var labels = Opt.Labels(); var clear = new Option<bool>("--clear-labels") { Description = "Remove all labels" };
        var cmd = new Command("update", "Change overcommit ratios, reserve or labels (unchanged settings are kept)") { id, cpu, mem, reserve, labels, clear };
        UpdateHostRequest Build(ParseResult p, Overcommit? current) =>
            BuildUpdate(p.GetValue(id)!, current, p.GetValue(cpu), p.GetValue(mem), p.GetValue(reserve), p.GetValue(labels), p.GetValue(clear));
        return kit.Custom(cmd, (p, _) => Build(p, null), async s =>
        {
            var p = s.Parse;
            Overcommit? current = null;
            // Overcommit is one message: setting one ratio must not zero the others, so start from what the host has.
            if (p.GetValue(cpu) is not null || p.GetValue(mem) is not null || p.GetValue(reserve) is not null)
                current = (await s.Rpc.Hosts.GetHostAsync(new GetHostRequest { Id = p.GetValue(id)! }, s.Call())).Overcommit ?? new Overcommit();
            var host = await s.Rpc.Hosts.UpdateHostAsync(Build(p, current), s.Call());
            s.Print(host, (r, w) => Render.Hosts([r], w));
            return ExitCodes.Ok;
        }, c => c.Hosts.GetHostAsync(null!), c => c.Hosts.UpdateHostAsync(null!));
    }

    public static UpdateHostRequest BuildUpdate(string id, Overcommit? current, double? cpuRatio, double? memoryRatio, ulong? reserveMib, string[]? labels, bool clearLabels)
    {
        var r = new UpdateHostRequest { Id = id, SetLabels = (labels?.Length ?? 0) > 0 || clearLabels, Labels = { Specs.Labels(labels) } };
        if (cpuRatio is not null || memoryRatio is not null || reserveMib is not null)
        {
            var o = current?.Clone() ?? new Overcommit();
            if (cpuRatio is { } c) o.CpuRatio = c > 0 ? c : throw new UsageException("--cpu-ratio must be above 0");
            if (memoryRatio is { } m) o.MemoryRatio = m > 0 ? m : throw new UsageException("--memory-ratio must be above 0");
            if (reserveMib is { } res) o.MemoryReserveMib = res;
            r.Overcommit = o;
        }
        if (r.Overcommit is null && !r.SetLabels) throw new UsageException("host update needs --cpu-ratio, --memory-ratio, --memory-reserve, --label or --clear-labels");
        return r;
    }
}
