using System.CommandLine;
using Infra.Ctl.Cli;
using Infra.Ctl.Errors;
using Infra.Ctl.Output;
using Infra.V1;
using Command = System.CommandLine.Command;

namespace Infra.Ctl.Commands;

/// <summary>infractl volume create|get|list|resize|delete|export and volume snapshot create|list|get|delete</summary>
public static partial class VolumeCommands
{
    public static Command Build(CommandKit kit)
    {
        var noun = new Command("volume", "Volumes, their snapshots, and RAW export");

        var tenant = Opt.Tenant(true); var name = Opt.Name(true, "volume"); var labels = Opt.Labels();
        var size = new Option<ulong>("--size") { Description = "Size in GiB (may be omitted with --image or --snapshot)" };
        var image = new Option<string>("--image") { Description = "Fill with a copy-on-write clone of this image" };
        var snapshot = new Option<string>("--snapshot") { Description = "Fill with a copy of this snapshot" };
        var pool = new Option<string>("--pool") { Description = "Local storage pool (default: the host's default)" };
        var format = Opt.Choice("--format", "Local file format (default qcow2)", "raw", "qcow2");
        var nbd = new Option<string>("--nbd") { Description = "Serve from this NBD URI instead of a local file" };
        noun.Subcommands.Add(kit.Unary(new Command("create", "Create a volume") { tenant, name, size, image, snapshot, pool, format, nbd, labels }, (c, r, o) => c.Volumes.CreateVolumeAsync(r, o),
            (p, rc) => BuildCreate(p.GetValue(tenant)!, p.GetValue(name)!, p.GetValue(size), p.GetValue(image), p.GetValue(snapshot),
                p.GetValue(pool), p.GetValue(format), p.GetValue(nbd), Specs.Labels(p.GetValue(labels)), rc.RequestId),
            (r, w) => Render.Volumes([r], w)));

        var id = Opt.Id("volume");
        noun.Subcommands.Add(kit.Unary(new Command("get", "Show one volume") { id }, (c, r, o) => c.Volumes.GetVolumeAsync(r, o),
            (p, _) => new GetVolumeRequest { Id = p.GetValue(id)! }, (r, w) => Render.Volumes([r], w)));

        var ltenant = Opt.Tenant(false); var psize = Opt.PageSize(); var token = Opt.PageToken();
        noun.Subcommands.Add(kit.Unary(new Command("list", "List volumes") { ltenant, psize, token }, (c, r, o) => c.Volumes.ListVolumesAsync(r, o),
            (p, _) => new ListVolumesRequest { TenantId = p.GetValue(ltenant) ?? "", Page = Opt.Page(p, psize, token) },
            (r, w) => { Render.Volumes(r.Volumes, w); Opt.MorePages(r.Page, w); }));

        var rid = Opt.Id("volume"); var rsize = new Option<ulong>("--size") { Description = "New size in GiB (larger than now)", Required = true };
        noun.Subcommands.Add(kit.Unary(new Command("resize", "Grow a volume") { rid, rsize }, (c, r, o) => c.Volumes.ResizeVolumeAsync(r, o),
            (p, _) => new ResizeVolumeRequest { Id = p.GetValue(rid)!, SizeGib = p.GetValue(rsize) }, (r, w) => Render.Volumes([r], w)));

        var did = Opt.Id("volume"); var cascade = new Option<bool>("--cascade") { Description = "Also delete its snapshots" };
        noun.Subcommands.Add(kit.Unary(new Command("delete", "Delete a volume") { did, cascade }, (c, r, o) => c.Volumes.DeleteVolumeAsync(r, o),
            (p, _) => new DeleteVolumeRequest { Id = p.GetValue(did)!, Cascade = p.GetValue(cascade) }, (q, r, w) => Render.Deleted("volume", q.Id, r.Revision, w)));

        noun.Subcommands.Add(SnapshotCommands(kit));
        noun.Subcommands.Add(ExportCommand(kit));
        return noun;
    }

    public static CreateVolumeRequest BuildCreate(string tenant, string name, ulong sizeGib, string? image, string? snapshot,
        string? pool, string? format, string? nbd, Dictionary<string, string> labels, string requestId)
    {
        if (image is not null && snapshot is not null) throw new UsageException("give at most one of --image or --snapshot");
        if (sizeGib == 0 && image is null && snapshot is null) throw new UsageException("an empty volume needs --size GiB");
        if (nbd is not null && (pool is not null || format is not null)) throw new UsageException("--nbd excludes --pool and --format (those are for local files)");
        var r = new CreateVolumeRequest { RequestId = requestId, TenantId = tenant, Name = name, SizeGib = sizeGib, Labels = { labels } };
        if (image is not null) r.ImageId = image;
        if (snapshot is not null) r.SnapshotId = snapshot;
        if (nbd is not null) r.Backend = new VolumeBackend { Nbd = new NbdBackend { Uri = nbd } };
        else if (pool is not null || format is not null)
            r.Backend = new VolumeBackend { Local = new LocalBackend { Pool = pool ?? "", Format = format is null ? DiskFormat.Unspecified : Enums.Parse<DiskFormat>(format, "--format") } };
        return r;
    }

    static Command SnapshotCommands(CommandKit kit)
    {
        var noun = new Command("snapshot", "Crash-consistent snapshots of one volume ('instance snapshot' for consistent groups)");
        var vol = new Argument<string>("volume-id") { Description = "The volume to snapshot" }; var name = Opt.Name(true, "snapshot"); var labels = Opt.Labels();
        noun.Subcommands.Add(kit.Unary(new Command("create", "Snapshot a volume") { vol, name, labels }, (c, r, o) => c.Volumes.CreateSnapshotAsync(r, o),
            (p, rc) => new CreateSnapshotRequest { RequestId = rc.RequestId, VolumeId = p.GetValue(vol)!, Name = p.GetValue(name)!, Labels = { Specs.Labels(p.GetValue(labels)) } },
            (r, w) => Render.Snapshots([r], w)));

        var tenant = Opt.Tenant(false); var lvol = new Option<string>("--volume") { Description = "Only snapshots of this volume" };
        var size = Opt.PageSize(); var token = Opt.PageToken();
        noun.Subcommands.Add(kit.Unary(new Command("list", "List snapshots") { tenant, lvol, size, token }, (c, r, o) => c.Volumes.ListSnapshotsAsync(r, o),
            (p, _) => new ListSnapshotsRequest { TenantId = p.GetValue(tenant) ?? "", VolumeId = p.GetValue(lvol) ?? "", Page = Opt.Page(p, size, token) },
            (r, w) => { Render.Snapshots(r.Snapshots, w); Opt.MorePages(r.Page, w); }));

        var id = Opt.Id("snapshot");
        noun.Subcommands.Add(kit.Unary(new Command("get", "Show one snapshot") { id }, (c, r, o) => c.Volumes.GetSnapshotAsync(r, o),
            (p, _) => new GetSnapshotRequest { Id = p.GetValue(id)! }, (r, w) => Render.Snapshots([r], w)));
        var did = Opt.Id("snapshot");
        noun.Subcommands.Add(kit.Unary(new Command("delete", "Delete a snapshot") { did }, (c, r, o) => c.Volumes.DeleteSnapshotAsync(r, o),
            (p, _) => new DeleteSnapshotRequest { Id = p.GetValue(did)! }, (q, r, w) => Render.Deleted("snapshot", q.Id, r.Revision, w)));
        return noun;
    }
}
