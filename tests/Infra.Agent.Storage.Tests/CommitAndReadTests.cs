using System.Security.Cryptography;
using Infra.Agent.Storage.Images;
using Infra.Agent.Storage.Nbd;
using Infra.Agent.Storage.Processes;
using Infra.Agent.Storage.Volumes;
using static Infra.Agent.Storage.Tests.TestFiles;

namespace Infra.Agent.Storage.Tests;

/// <summary>
/// Against a real qemu-storage-daemon: the read-only NBD export of a frozen node read with our own
/// NBD client, block-commit folding overlays back (active and intermediate), and a fresh daemon
/// opening the top of a snapshot chain rather than the base file.
/// </summary>
public class CommitAndReadTests
{
    private readonly QemuImg _img = new();

    private static string NbdUri(string socket, string name) => $"nbd+unix:///{name}?socket={socket}";

    [Fact]
    public async Task ReadOnlyExport_OfTheSnapshottedNode_ReadsExactlyWhatQemuImgReads()
    {
        using var dir = new TempDir();
        await _img.CreateAsync(dir["v.raw"], ImageFormat.Raw, 3 * MiB + 4096);
        WriteAt(dir["v.raw"], 0, "FIRST-BYTES");
        WriteAt(dir["v.raw"], 3 * MiB, "LAST-BYTES");
        var server = new VolumeServer(new ChildProcessLauncher(), _img, dir["run"]);
        await using var volume = await server.ServeAsync(new VolumeSpec("rv", new RawFileBackend(dir["v.raw"])));
        var frozen = (await volume.NodeOfAsync(dir["v.raw"]))!;
        await volume.SnapshotAsync(SnapshotNaming.OverlayPath(dir["v.raw"], "s1"));
        await volume.ExportReadOnlyAsync(frozen.NodeName, "ro1");

        await using (var reader = await NbdReader.ConnectAsync(volume.NbdSocket, "ro1", TimeSpan.FromSeconds(10), CancellationToken.None))
        {
            Assert.Equal((ulong)(3 * MiB + 4096), reader.Size);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buf = new byte[MiB];
            for (ulong off = 0; off < reader.Size; off += (ulong)buf.Length)
            {
                var n = (int)Math.Min((ulong)buf.Length, reader.Size - off);
                await reader.ReadAsync(off, buf.AsMemory(0, n), CancellationToken.None);
                hash.AppendData(buf, 0, n);
            }
            Assert.Equal(Sha256(dir["v.raw"]), Convert.ToHexString(hash.GetHashAndReset()));
        }
        await Assert.ThrowsAsync<NbdProtocolException>(() => NbdReader.ConnectAsync(volume.NbdSocket, "no-such-export", TimeSpan.FromSeconds(10), CancellationToken.None));
        await volume.RemoveReadOnlyExportAsync("ro1");
    }

    [Fact]
    public async Task ActiveCommit_FoldsTheOverlayBack_KeepingWritesMadeAfterTheCut()
    {
        using var dir = new TempDir();
        await _img.CreateAsync(dir["c.qcow2"], ImageFormat.Qcow2, 4 * MiB);
        var server = new VolumeServer(new ChildProcessLauncher(), _img, dir["run"]);
        await using var volume = await server.ServeAsync(new VolumeSpec("cv", new Qcow2Backend(dir["c.qcow2"])));
        var baseNode = (await volume.NodeOfAsync(dir["c.qcow2"]))!;
        var overlay = SnapshotNaming.OverlayPath(dir["c.qcow2"], "~x-1");
        await volume.SnapshotAsync(overlay);
        await volume.ExportNbdAsync(NbdAddress.Unix(dir["nbd.sock"]), "live", writable: true);
        await QemuIoAsync(NbdUri(dir["nbd.sock"], "live"), "raw", "write -P 0x5a 0 64k");

        await volume.CommitAsync((await volume.NodeOfAsync(overlay))!, baseNode, TimeSpan.FromSeconds(60));
        Assert.Equal(dir["c.qcow2"], volume.ActiveImage);
        Assert.Equal(baseNode.NodeName, volume.TopNode);
        File.Delete(overlay);
        // The base file now holds the write (read by qemu-img, nothing else in the chain; -U: the daemon holds it).
        var psi = new System.Diagnostics.ProcessStartInfo("qemu-img") { RedirectStandardError = true };
        foreach (var a in new[] { "convert", "-U", "-f", "qcow2", "-O", "raw", dir["c.qcow2"], dir["out.raw"] }) psi.ArgumentList.Add(a);
        using (var p = System.Diagnostics.Process.Start(psi)!)
        {
            await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(p.ExitCode == 0, p.StandardError.ReadToEnd());
        }
        Assert.Equal(new string('Z', 16), ReadAt(dir["out.raw"], 0, 16));
    }

    [Fact]
    public async Task FreshDaemon_OpensTheTopOfTheSnapshotChain_NotTheBaseFile()
    {
        using var dir = new TempDir();
        await _img.CreateAsync(dir["t.qcow2"], ImageFormat.Qcow2, 4 * MiB);
        var server = new VolumeServer(new ChildProcessLauncher(), _img, dir["run"]);
        var spec = new VolumeSpec("tv", new Qcow2Backend(dir["t.qcow2"]));
        await using (var volume = await server.ServeAsync(spec))
        {
            await volume.SnapshotAsync(SnapshotNaming.OverlayPath(dir["t.qcow2"], "a"));
            await volume.SnapshotAsync(SnapshotNaming.OverlayPath(dir["t.qcow2"], "b"));
        }
        await using var again = await server.ServeAsync(spec);
        Assert.Equal(SnapshotNaming.OverlayPath(dir["t.qcow2"], "b"), again.ActiveImage);
        Assert.NotNull(await again.NodeOfAsync(dir["t.qcow2"]));
    }
}
