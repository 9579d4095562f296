using Infra.Agent.Storage.Daemon;
using Infra.Agent.Storage.Images;
using Infra.Agent.Storage.Processes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Infra.Agent.Storage.Volumes;

/// <summary>
/// Serves volumes to VMs: one qemu-storage-daemon per volume (a fault or restart touches one disk),
/// with the volume opened as a block graph and exported as a vhost-user-blk socket under
/// runRoot/&lt;volume id&gt;/vhost.sock, which the VM's qemu connects to.
/// </summary>
public sealed partial class VolumeServer(IProcessLauncher launcher, QemuImg images, string runRoot, ILogger? logger = null)
{
    private readonly ILogger _log = logger ?? NullLogger.Instance;

    /// <summary>
    /// Adopts the volume's daemon if one is still running from before an agent restart, otherwise
    /// starts one. Adoption never touches the disk's data path: the VM stays connected throughout.
    /// </summary>
    public async Task<ServedVolume> ServeOrAdoptAsync(VolumeSpec spec, CancellationToken ct = default)
    {
        var daemon = await StorageDaemon.AttachAsync(Path.Combine(runRoot, spec.Id), ct).ConfigureAwait(false);
        if (daemon is null) return await ServeAsync(spec, ct).ConfigureAwait(false);
        try
        {
            var volume = await ServedVolume.FromRunningAsync(spec, daemon, images, ct).ConfigureAwait(false);
            LogAdopted(_log, spec.Id, daemon.Process.Pid, volume.TopNode);
            return volume;
        }
        catch
        {
            await daemon.DetachAsync().ConfigureAwait(false);
            throw;
        }
    }

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
            LogServed(_log, spec.Id, daemon.Process.Pid, socket);
            return new ServedVolume(spec, daemon, socket, images);
        }
        catch
        {
            await daemon.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
