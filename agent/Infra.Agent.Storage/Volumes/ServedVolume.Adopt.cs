using System.Text.Json;
using Infra.Agent.Storage.Daemon;
using Infra.Agent.Storage.Images;

namespace Infra.Agent.Storage.Volumes;

public sealed partial class ServedVolume
{
    /// <summary>
    /// Rebuilds the view of a volume from what its running daemon reports: the vhost-user export's
    /// node is the top of the chain (it moved there with each snapshot), and that node's file is the
    /// active image. Nothing is read from the agent's own memory, so this works after a restart.
    /// </summary>
    internal static async Task<ServedVolume> FromRunningAsync(VolumeSpec spec, StorageDaemon daemon, QemuImg images,
        CancellationToken ct)
    {
        var exports = await daemon.Qmp.ExecuteAsync("query-block-exports", ct: ct).ConfigureAwait(false);
        var export = exports.EnumerateArray().FirstOrDefault(e => e.GetProperty("id").GetString() == VhostExportId);
        if (export.ValueKind != JsonValueKind.Object)
            throw new InvalidOperationException($"daemon of volume {spec.Id} has no export '{VhostExportId}'; stop it and serve the volume again");
        var top = export.GetProperty("node-name").GetString()!;

        var nodes = await daemon.Qmp.ExecuteAsync("query-named-block-nodes", new { Flat = true }, ct: ct).ConfigureAwait(false);
        var volume = new ServedVolume(spec, daemon, Path.Combine(daemon.RunDir, "vhost.sock"), images) { TopNode = top };
        foreach (var node in nodes.EnumerateArray())
        {
            var name = node.GetProperty("node-name").GetString() ?? "";
            if (name.StartsWith("snap", StringComparison.Ordinal) && int.TryParse(name[4..], out var n))
                volume._snapshots = Math.Max(volume._snapshots, n);
            if (name != top) continue;
            var driver = node.GetProperty("drv").GetString();
            (volume.ActiveImage, volume.ActiveFormat) = driver switch
            {
                "raw" => (node.GetProperty("file").GetString(), ImageFormat.Raw),
                "qcow2" => (node.GetProperty("file").GetString(), ImageFormat.Qcow2),
                _ => ((string?)null, ImageFormat.Raw),
            };
        }
        return volume;
    }

    /// <summary>Lets go of the daemon without stopping it: the VM keeps its disk while the agent restarts.</summary>
    public ValueTask DetachAsync() => Daemon.DetachAsync();
}
