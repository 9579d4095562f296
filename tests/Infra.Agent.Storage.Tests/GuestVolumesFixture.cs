using Infra.Agent.Storage.Images;
using Infra.Agent.Storage.Processes;
using Infra.Agent.Storage.Volumes;
using Infra.Qmp;
using Infra.TestGuest;
using static Infra.Agent.Storage.Tests.TestFiles;

namespace Infra.Agent.Storage.Tests;

/// <summary>
/// Boots ONE guest with four vhost-user-blk disks, each served by its own qemu-storage-daemon:
/// a raw file, a qcow2 file, a qcow2 clone of a base image, and a network volume opened over NBD
/// from a fifth daemon that serves a raw file. The guest writes a fresh pattern to every disk and
/// powers off; then the daemons quit (flushing) and the tests inspect the files on the host.
/// </summary>
public sealed class GuestVolumesFixture : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private readonly QemuImg _img = new();
    public string Pattern { get; } = NewPattern();
    public string Path(string name) => _dir[name];
    public string BaseHashBefore { get; private set; } = "";
    public string GuestSerial { get; private set; } = "";
    public TimeSpan? BootTime { get; private set; }
    public string? ShutdownReason { get; private set; }

    public async Task InitializeAsync()
    {
        await _img.CreateAsync(_dir["raw.raw"], ImageFormat.Raw, 8 * MiB);
        await _img.CreateAsync(_dir["q.qcow2"], ImageFormat.Qcow2, 8 * MiB);
        await _img.CreateAsync(_dir["base.raw"], ImageFormat.Raw, 8 * MiB);
        WriteAt(_dir["base.raw"], 0, "BASE-AT-ZERO");
        WriteAt(_dir["base.raw"], 4 * MiB, "BASE-AT-4MIB");
        BaseHashBefore = Sha256(_dir["base.raw"]);
        await _img.CreateAsync(_dir["remote.raw"], ImageFormat.Raw, 8 * MiB);
        WriteAt(_dir["remote.raw"], 0, "REMOTE-BEFORE");

        var server = new VolumeServer(new ChildProcessLauncher(), _img, _dir["run"]);
        // The NBD source: a volume on "another host" whose daemon exports it over NBD.
        await using var source = await server.ServeAsync(new VolumeSpec("remote", new RawFileBackend(_dir["remote.raw"])));
        await source.ExportNbdAsync(NbdAddress.Unix(_dir["nbd.sock"]), "remote-disk", writable: true);
        // Its vhost-user export is not used; drop it so only the NBD client writes.
        await source.Daemon.RemoveExportAsync(ServedVolume.VhostExportId);

        await using var raw = await server.ServeAsync(new VolumeSpec("raw", new RawFileBackend(_dir["raw.raw"])));
        await using var qcow = await server.ServeAsync(new VolumeSpec("qcow", new Qcow2Backend(_dir["q.qcow2"])));
        await using var clone = await server.ServeAsync(
            new VolumeSpec("clone", new Qcow2CloneBackend(_dir["clone.qcow2"], _dir["base.raw"], ImageFormat.Raw)));
        await using var nbd = await server.ServeAsync(
            new VolumeSpec("net", new NbdBackend(NbdAddress.Unix(_dir["nbd.sock"]), "remote-disk")));

        await using var guest = await TestGuest.TestGuest.StartAsync(new TestGuestOptions
        {
            KernelArgs = ["infra.test=write-disk", $"infra.pattern={Pattern}"],
            VhostUserBlkSockets = [raw.VhostUserSocket, qcow.VhostUserSocket, clone.VhostUserSocket, nbd.VhostUserSocket],
            StartPaused = true,
        });
        // Paused start: subscribe before the guest runs, so its power-off SHUTDOWN event cannot be missed.
        await using (var qmp = await QmpClient.ConnectAsync(guest.QmpSocket))
        {
            using var events = qmp.Subscribe(n => n == "SHUTDOWN");
            await qmp.ExecuteAsync("cont");
            await guest.WaitForBootAsync();
            var shutdown = await events.WaitForAsync("SHUTDOWN", TimeSpan.FromSeconds(90));
            ShutdownReason = shutdown.Data.GetProperty("reason").GetString();
        }
        BootTime = guest.BootTime;
        await guest.WaitForSerialAsync("GUEST-DISKS-DONE", TimeSpan.FromSeconds(60));
        await guest.WaitForExitAsync(TimeSpan.FromSeconds(60));
        GuestSerial = guest.ReadSerial();
        Console.WriteLine($"storage test guest booted in {BootTime?.TotalSeconds:0.00} s");
        // Leaving this scope quits every daemon: qcow2 metadata is flushed and file locks released.
    }

    public Task DisposeAsync() { _dir.Dispose(); return Task.CompletedTask; }
}
