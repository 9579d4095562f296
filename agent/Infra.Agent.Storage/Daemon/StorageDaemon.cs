using System.Text.Json.Nodes;
using Infra.Agent.Storage.Processes;
using Infra.Agent.Storage.Volumes;
using Infra.Processes;
using Infra.Qmp;

namespace Infra.Agent.Storage.Daemon;

/// <summary>
/// One qemu-storage-daemon, started with nothing but a QMP monitor and driven entirely over QMP:
/// block nodes, exports (vhost-user-blk, NBD) and jobs are added at run time, so an agent that
/// restarts can reconnect to the socket and query what exists instead of re-reading a command line.
/// </summary>
public sealed class StorageDaemon : IAsyncDisposable
{
    private StorageDaemon(IManagedProcess process, QmpClient qmp, string runDir)
    {
        Process = process; Qmp = qmp; RunDir = runDir;
    }

    public IManagedProcess Process { get; }
    public QmpClient Qmp { get; }
    public string RunDir { get; }
    public static string QmpSocketIn(string runDir) => Path.Combine(runDir, "qmp.sock");
    public static string PidFileIn(string runDir) => Path.Combine(runDir, "daemon.pid");

    public static async Task<StorageDaemon> StartAsync(IProcessLauncher launcher, string name, string runDir,
        TimeSpan? startTimeout = null, CancellationToken ct = default)
    {
        Directory.CreateDirectory(runDir);
        var socket = QmpSocketIn(runDir);
        File.Delete(socket);
        var spec = new ProcessSpec(name, "qemu-storage-daemon",
            ["--chardev", $"socket,id=mon0,path={socket},server=on,wait=off", "--monitor", "chardev=mon0",
             "--pidfile", PidFileIn(runDir)]);
        var process = await launcher.StartAsync(spec, ct).ConfigureAwait(false);
        try
        {
            var wait = startTimeout ?? TimeSpan.FromSeconds(20);
            using var stopConnecting = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var connect = QmpClient.WaitAndConnectAsync(socket, wait, ct: stopConnecting.Token);
            // If the daemon dies at start (bad option, missing binary), say so instead of waiting out the timeout.
            var exited = process.WaitForExitAsync(ct);
            if (await Task.WhenAny(connect, exited).ConfigureAwait(false) == exited && !connect.IsCompleted)
            {
                stopConnecting.Cancel();
                _ = connect.ContinueWith(t => t.Exception, TaskScheduler.Default); // observed: we report the exit instead
                throw new InvalidOperationException($"qemu-storage-daemon {name} exited at start: {process.StderrTail}");
            }
            var qmp = await connect.ConfigureAwait(false);
            return new StorageDaemon(process, qmp, runDir);
        }
        catch
        {
            await process.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Reconnects to a daemon left running in runDir (after an agent restart). Returns null when no
    /// daemon runs there, so the caller starts one.
    /// </summary>
    public static async Task<StorageDaemon?> AttachAsync(string runDir, CancellationToken ct = default)
    {
        var process = PidProcess.FromPidFile(PidFileIn(runDir));
        if (process is null || !File.Exists(QmpSocketIn(runDir))) return null;
        var qmp = await QmpClient.ConnectAsync(QmpSocketIn(runDir), ct: ct).ConfigureAwait(false);
        return new StorageDaemon(process, qmp, runDir);
    }

    /// <summary>Closes our QMP connection and leaves the daemon serving (the agent is going away, not the disk).</summary>
    public async ValueTask DetachAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await Qmp.DisposeAsync().ConfigureAwait(false);
    }

    public Task BlockdevAddAsync(JsonObject options, CancellationToken ct = default) =>
        Qmp.ExecuteAsync("blockdev-add", options, ct: ct);

    /// <summary>Virtqueues each vhost-user-blk export offers. A VM's device asks for one per vCPU,
    /// capped at 16 (Infra.Agent.Compute's QemuCommandLine); qemu refuses to start when it asks for more
    /// than the backend offers, so the export offers the cap.</summary>
    public const int VhostUserQueues = 16;

    /// <summary>Exports a node as a vhost-user-blk server socket; a VM's qemu connects to it as a client.</summary>
    public async Task ExportVhostUserBlkAsync(string exportId, string node, string socketPath, bool writable,
        CancellationToken ct = default)
    {
        File.Delete(socketPath);
        await Qmp.ExecuteAsync("block-export-add", new JsonObject
        {
            ["type"] = "vhost-user-blk", ["id"] = exportId, ["node-name"] = node, ["writable"] = writable,
            ["num-queues"] = VhostUserQueues,
            ["addr"] = new JsonObject { ["type"] = "unix", ["path"] = socketPath },
        }, ct: ct).ConfigureAwait(false);
    }

    /// <summary>Starts this daemon's NBD server (one per daemon; exports are added separately).</summary>
    public Task StartNbdServerAsync(NbdAddress address, CancellationToken ct = default) =>
        Qmp.ExecuteAsync("nbd-server-start", new JsonObject { ["addr"] = LegacyAddress(address) }, ct: ct);

    // nbd-server-start predates the flat SocketAddress: it wants {"type": ..., "data": {...}}.
    private static JsonObject LegacyAddress(NbdAddress a) => a.UnixSocket is { } path
        ? new JsonObject { ["type"] = "unix", ["data"] = new JsonObject { ["path"] = path } }
        : new JsonObject { ["type"] = "inet", ["data"] = new JsonObject { ["host"] = a.Host, ["port"] = a.Port.ToString() } };

    public Task ExportNbdAsync(string exportId, string node, string exportName, bool writable, CancellationToken ct = default) =>
        Qmp.ExecuteAsync("block-export-add", new JsonObject
        {
            ["type"] = "nbd", ["id"] = exportId, ["node-name"] = node, ["name"] = exportName, ["writable"] = writable,
        }, ct: ct);

    /// <summary>Removes an export and waits until qemu has really let go of it.</summary>
    public async Task RemoveExportAsync(string exportId, CancellationToken ct = default)
    {
        using var events = Qmp.Subscribe(n => n == "BLOCK_EXPORT_DELETED");
        await Qmp.ExecuteAsync("block-export-del", new JsonObject { ["id"] = exportId }, ct: ct).ConfigureAwait(false);
        await events.WaitForAsync("BLOCK_EXPORT_DELETED", TimeSpan.FromSeconds(30), ct,
            e => e.Data.GetProperty("id").GetString() == exportId).ConfigureAwait(false);
    }

    /// <summary>Asks the daemon to quit, then makes sure the process is gone.</summary>
    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        try { if (Qmp.IsConnected) await Qmp.ExecuteAsync("quit", timeout: TimeSpan.FromSeconds(5)).ConfigureAwait(false); }
        catch (QmpException) { /* already gone or hung: the stop below handles both */ }
        await Qmp.DisposeAsync().ConfigureAwait(false);
        await Process.StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        await Process.DisposeAsync().ConfigureAwait(false);
    }
}
