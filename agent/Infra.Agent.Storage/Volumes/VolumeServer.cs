using Infra.Agent.Storage.Daemon;
using Infra.Agent.Storage.Images;
using Infra.Agent.Storage.Processes;

namespace Infra.Agent.Storage.Volumes;

/// <summary>
/// Serves volumes to VMs: one qemu-storage-daemon per volume (a fault or restart touches one disk),
/// with the volume opened as a block graph and exported as a vhost-user-blk socket under
/// runRoot/&lt;volume id&gt;/vhost.sock, which the VM's qemu connects to.
/// </summary>
public sealed class VolumeServer(IProcessLauncher launcher, QemuImg images, string runRoot)
{
    public async Task<ServedVolume> ServeAsync(VolumeSpec spec, CancellationToken ct = default)
    {
        var errors = spec.Validate();
        if (errors.Count > 0) throw new ArgumentException($"invalid volume {spec.Id}: {string.Join("; ", errors)}", nameof(spec));
        if (spec.Backend is Qcow2CloneBackend clone && !File.Exists(clone.Path))
            await images.CreateCloneAsync(clone.Path, clone.BaseImage, clone.BaseFormat, ct).ConfigureAwait(false);

        var runDir = Path.Combine(runRoot, spec.Id);
        var daemon = await StorageDaemon.StartAsync(launcher, $"infra-vol-{spec.Id}", runDir, ct: ct).ConfigureAwait(false);
        try
        {
            foreach (var node in BlockGraph.Open(spec))
                await daemon.BlockdevAddAsync(node, ct).ConfigureAwait(false);
            var socket = Path.Combine(runDir, "vhost.sock");
            await daemon.ExportVhostUserBlkAsync(ServedVolume.VhostExportId, BlockGraph.TopNode, socket, !spec.ReadOnly, ct)
                .ConfigureAwait(false);
            return new ServedVolume(spec, daemon, socket, images);
        }
        catch
        {
            await daemon.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
