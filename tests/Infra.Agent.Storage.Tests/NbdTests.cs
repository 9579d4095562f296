using System.Net;
using System.Net.Sockets;
using Infra.Agent.Storage.Images;
using Infra.Agent.Storage.Processes;
using Infra.Agent.Storage.Volumes;
using static Infra.Agent.Storage.Tests.TestFiles;

namespace Infra.Agent.Storage.Tests;

/// <summary>A network volume over NBD on TCP loopback, as between two hosts.</summary>
public class NbdTests
{
    private readonly QemuImg _img = new();

    private static int FreeLoopbackPort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    [Fact]
    public async Task NbdOverTcp_SecondDaemonOpensVolume_AndReadsAndWritesIt()
    {
        using var dir = new TempDir();
        await _img.CreateAsync(dir["remote.raw"], ImageFormat.Raw, 4 * MiB);
        WriteAt(dir["remote.raw"], 0, "SERVED-OVER-TCP");
        var server = new VolumeServer(new ChildProcessLauncher(), _img, dir["run"]);
        var port = FreeLoopbackPort();
        await using var source = await server.ServeAsync(new VolumeSpec("src", new RawFileBackend(dir["remote.raw"])));
        await source.Daemon.RemoveExportAsync(ServedVolume.VhostExportId);
        await source.ExportNbdAsync(NbdAddress.Tcp("127.0.0.1", port), "disk", writable: true);

        await using var net = await server.ServeAsync(
            new VolumeSpec("dst", new NbdBackend(NbdAddress.Tcp("127.0.0.1", port), "disk")));
        // Read and write through the second daemon: export its NBD node again on a unix socket.
        await net.ExportNbdAsync(NbdAddress.Unix(dir["relay.sock"]), "relay", writable: true);
        await QemuIoAsync($"nbd+unix:///relay?socket={dir["relay.sock"]}", "raw", "write -P 0x5a 1M 4k");
        await QemuIoAsync($"nbd+unix:///relay?socket={dir["relay.sock"]}", "raw", "read -P 0x5a 1M 4k");
        await _img.ConvertAsync($"nbd+unix:///relay?socket={dir["relay.sock"]}", ImageFormat.Raw, dir["copy.raw"], ImageFormat.Raw);

        Assert.Equal("SERVED-OVER-TCP", ReadAt(dir["copy.raw"], 0, 15));
        Assert.Equal("ZZZZ", ReadAt(dir["remote.raw"], MiB, 4));
    }

    [Fact]
    public async Task NbdBackend_WhenServerIsAbsent_ServeFailsWithQmpErrorNamingTheAddress()
    {
        using var dir = new TempDir();
        var server = new VolumeServer(new ChildProcessLauncher(), _img, dir["run"]);
        var ex = await Assert.ThrowsAsync<Infra.Qmp.QmpCommandException>(() =>
            server.ServeAsync(new VolumeSpec("gone", new NbdBackend(NbdAddress.Unix(dir["nobody.sock"]), "disk"))));
        Assert.Contains("nobody.sock", ex.Desc);
    }
}
