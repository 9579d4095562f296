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

        // After snapshots the volume's data is the top of its overlay chain, not its base file.
        var opened = spec;
        if (VolumeChain.BaseFile(spec) is { } baseFile && File.Exists(baseFile)
            && await VolumeChain.TopAsync(baseFile, images, ct).ConfigureAwait(false) is var top && top != baseFile)
            opened = spec with { Backend = new Qcow2Backend(top) };

        var runDir = Path.Combine(runRoot, spec.Id);
        var daemon = await StorageDaemon.StartAsync(launcher, $"infra-vol-{spec.Id}", runDir, ct: ct).ConfigureAwait(false);
        try
        {
            foreach (var node in BlockGraph.Open(opened))
                await daemon.BlockdevAddAsync(node, ct).ConfigureAwait(false);
            var socket = Path.Combine(runDir, "vhost.sock");
            await daemon.ExportVhostUserBlkAsync(ServedVolume.VhostExportId, BlockGraph.TopNode, socket, !spec.ReadOnly, ct)
                .ConfigureAwait(false);
            LogServed(_log, spec.Id, daemon.Process.Pid, socket);
            var served = new ServedVolume(spec, daemon, socket, images);
            if (!ReferenceEquals(opened, spec)) served.OpenedOnTop(((Qcow2Backend)opened.Backend).Path);
            return served;
        }
        catch
        {
            await daemon.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
