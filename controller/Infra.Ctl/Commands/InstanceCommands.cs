using System.CommandLine;
using Infra.Ctl.Cli;
using Infra.Ctl.Errors;
using Infra.Ctl.Output;
using Infra.V1;
using Command = System.CommandLine.Command;

namespace Infra.Ctl.Commands;

/// <summary>infractl instance create|get|list|start|stop|reboot|pause|resume|resize|attach-volume|detach-volume|snapshot|delete|console|log</summary>
public static partial class InstanceCommands
{
    public static Command Build(CommandKit kit)
    {
        var noun = new Command("instance", "Instances: virtual machines (CPU sold in MHz)");
        noun.Subcommands.Add(Create(kit));

        var id = Opt.Id("instance");
        noun.Subcommands.Add(kit.Unary(new Command("get", "Show one instance") { id }, Instances.GetInstanceMethod,
            (p, _) => new GetInstanceRequest { Id = p.GetValue(id)! }, (r, w) => Render.Instances([r], w)));

        var tenant = Opt.Tenant(false); var host = new Option<string>("--host") { Description = "Only instances on this host" };
        var size = Opt.PageSize(); var token = Opt.PageToken();
        noun.Subcommands.Add(kit.Unary(new Command("list", "List instances") { tenant, host, size, token }, Instances.ListInstancesMethod,
            (p, _) => new ListInstancesRequest { TenantId = p.GetValue(tenant) ?? "", HostId = p.GetValue(host) ?? "", Page = Opt.Page(p, size, token) },
            (r, w) => { Render.Instances(r.Instances, w); Opt.MorePages(r.Page, w); }));

        noun.Subcommands.Add(Action(kit, "start", "Start a stopped instance", Instances.StartInstanceMethod));

        var sid = Opt.Id("instance"); var force = new Option<bool>("--force") { Description = "Power off at once instead of asking the guest" };
        var graceful = new Option<uint>("--grace", "--shutdown-timeout") { Description = "Seconds the guest gets to shut down before power-off (default 60)" };
        noun.Subcommands.Add(kit.Unary(new Command("stop", "Shut an instance down (gracefully unless --force)") { sid, force, graceful }, Instances.StopInstanceMethod,
            (p, _) => new StopInstanceRequest { Id = p.GetValue(sid)!, Force = p.GetValue(force), TimeoutSeconds = p.GetValue(graceful) },
            (r, w) => Render.Instances([r], w)));

        var rid = Opt.Id("instance"); var rforce = new Option<bool>("--force") { Description = "Reset at once instead of asking the guest" };
        noun.Subcommands.Add(kit.Unary(new Command("reboot", "Reboot an instance") { rid, rforce }, Instances.RebootInstanceMethod,
            (p, _) => new RebootInstanceRequest { Id = p.GetValue(rid)!, Force = p.GetValue(rforce) }, (r, w) => Render.Instances([r], w)));

        noun.Subcommands.Add(Action(kit, "pause", "Pause an instance's vCPUs", Instances.PauseInstanceMethod));
        noun.Subcommands.Add(Action(kit, "resume", "Resume a paused instance", Instances.ResumeInstanceMethod));

        var zid = Opt.Id("instance"); var zmhz = new Option<uint>("--cpu-mhz") { Description = "New total MHz (applied live)" };
        var zvcpus = new Option<uint>("--vcpus") { Description = "New vCPU count (stopped instances only)" };
        var zmem = new Option<string>("--memory") { Description = "New memory, e.g. 4096 (MiB) or 4G (stopped instances only)" };
        noun.Subcommands.Add(kit.Unary(new Command("resize", "Change CPU MHz, vCPUs or memory") { zid, zmhz, zvcpus, zmem }, Instances.ResizeInstanceMethod,
            (p, _) =>
            {
                var r = new ResizeInstanceRequest { Id = p.GetValue(zid)!, CpuMhz = p.GetValue(zmhz), Vcpus = p.GetValue(zvcpus),
                    MemoryMib = p.GetValue(zmem) is { } m ? Sizes.ParseMiB(m, "--memory") : 0 };
                if (r.CpuMhz == 0 && r.Vcpus == 0 && r.MemoryMib == 0) throw new UsageException("resize needs at least one of --cpu-mhz, --vcpus, --memory");
                return r;
            },
            (r, w) => Render.Instances([r], w)));

        var aid = Opt.Id("instance"); var avol = new Argument<string>("volume-id") { Description = "The volume" };
        noun.Subcommands.Add(kit.Unary(new Command("attach-volume", "Attach a volume (live if running)") { aid, avol }, Instances.AttachVolumeMethod,
            (p, _) => new AttachVolumeRequest { Id = p.GetValue(aid)!, VolumeId = p.GetValue(avol)! }, (r, w) => Render.Instances([r], w)));
        var did = Opt.Id("instance"); var dvol = new Argument<string>("volume-id") { Description = "The volume (not the boot volume)" };
        noun.Subcommands.Add(kit.Unary(new Command("detach-volume", "Detach a volume (live if running)") { did, dvol }, Instances.DetachVolumeMethod,
            (p, _) => new DetachVolumeRequest { Id = p.GetValue(did)!, VolumeId = p.GetValue(dvol)! }, (r, w) => Render.Instances([r], w)));

        var nid = Opt.Id("instance"); var nname = Opt.Name(false, "snapshots' name prefix");
        var quiesce = new Option<bool>("--require-quiesce") { Description = "Fail rather than take a crash-consistent snapshot" };
        noun.Subcommands.Add(kit.Unary(new Command("snapshot", "Snapshot all volumes of an instance at one instant") { nid, nname, quiesce }, Instances.SnapshotInstanceMethod,
            (p, rc) => new SnapshotInstanceRequest { Id = p.GetValue(nid)!, Name = p.GetValue(nname) ?? "", RequireQuiesce = p.GetValue(quiesce), RequestId = rc.RequestId },
            (r, w) => Render.InstanceSnapshot(r, w)));

        var xid = Opt.Id("instance"); var boot = new Option<bool>("--delete-boot-volume") { Description = "Also delete its boot volume" };
        noun.Subcommands.Add(kit.Unary(new Command("delete", "Delete an instance") { xid, boot }, Instances.DeleteInstanceMethod,
            (p, _) => new DeleteInstanceRequest { Id = p.GetValue(xid)!, DeleteBootVolume = p.GetValue(boot) }, (r, w) => Render.Instances([r], w)));
        noun.Subcommands.Add(Console(kit));
        noun.Subcommands.Add(Log(kit));
        return noun;
    }

    static Command Action(CommandKit kit, string verb, string description, Grpc.Method<InstanceActionRequest, Instance> method)
    {
        var id = Opt.Id("instance");
        return kit.Unary(new Command(verb, description) { id }, method, (p, _) => new InstanceActionRequest { Id = p.GetValue(id)! }, (r, w) => Render.Instances([r], w));
    }
}
