using Infra.Controller.Api.Tests.Support;
using Infra.Store.Etcd.Tests.Support;

namespace Infra.Controller.EndToEnd.Tests.Support;

/// <summary>
/// One real etcd shared by real controller daemons (replicas) started on demand, with a token file.
/// Use as an xunit IAsyncLifetime base: etcd starts before the test, stops (with the dir) after.
/// </summary>
public abstract class EtcdReplicas : IAsyncLifetime
{
    protected readonly TempDir Dir = new();
    EtcdProcess? _etcd;

    public async Task InitializeAsync() => _etcd = await EtcdProcess.StartNewAsync();

    public async Task DisposeAsync()
    {
        if (_etcd is not null) await _etcd.DisposeAsync();
        Dir.Dispose();
    }

    /// <summary>Starts replica <paramref name="name"/> on loopback and waits until it is ready; the caller disposes it.</summary>
    protected async Task<(DaemonProcess Daemon, string Url)> StartReplicaAsync(string name)
    {
        var ready = Dir.Combine("ready-" + name);
        var d = DaemonProcess.Start("--listen", "127.0.0.1:0", "--ready-file", ready, "--store", "etcd:" + _etcd!.ClientUrl,
            "--token-file", Dir.TokenFile, "--node-id", name);
        try { return (d, await d.WaitReadyAsync(ready)); }
        catch { d.Dispose(); throw; }
    }
}
