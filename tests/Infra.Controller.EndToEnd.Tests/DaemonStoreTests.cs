using Infra.Controller.Api.Tests.Support;
using Infra.Controller.EndToEnd.Tests.Support;

namespace Infra.Controller.EndToEnd.Tests;

/// <summary>The daemon refuses to report ready on a store that does not answer.</summary>
public sealed class DaemonStoreTests : IDisposable
{
    readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Daemon_EtcdEndpointThatRefusesConnections_Exits2WithoutReadyFile()
    {
        // Port 1 on loopback: nothing listens there, so the connection is refused at once.
        using var d = DaemonProcess.Start("--listen", "127.0.0.1:0", "--ready-file", _dir.Combine("ready"),
            "--store", "etcd:http://127.0.0.1:1", "--token-file", _dir.TokenFile);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await d.Process.WaitForExitAsync(cts.Token);

        Assert.Equal(2, d.Process.ExitCode);
        Assert.Contains("does not answer", d.Output);
        Assert.False(File.Exists(_dir.Combine("ready")));
    }
}
