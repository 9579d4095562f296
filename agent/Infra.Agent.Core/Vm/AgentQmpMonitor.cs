using System.Runtime.CompilerServices;
using Infra.Agent.Compute.Monitor;
using Infra.Qmp;

namespace Infra.Agent.Core.Vm;

/// <summary>
/// The thinnest <see cref="IVmMonitor"/> over the project's QMP client, so the daemon runs today.
/// agent/Infra.Agent.Vm provides the full adapter (QmpVmMonitor); the daemon's wiring should switch
/// to it, at which point this file goes.
/// </summary>
public sealed class AgentQmpMonitorFactory : IVmMonitorFactory
{
    /// <inheritdoc/>
    public async Task<IVmMonitor> ConnectAsync(string qmpSocketPath, TimeSpan timeout, CancellationToken ct)
    {
        var options = new QmpClientOptions { ConnectTimeout = timeout, DefaultTimeout = timeout };
        return new AgentQmpMonitor(await QmpClient.ConnectAsync(qmpSocketPath, options, ct: ct));
    }
}

/// <summary>One QMP connection as compute's monitor.</summary>
public sealed class AgentQmpMonitor(QmpClient client) : IVmMonitor
{
    /// <inheritdoc/>
    public async Task<VmRunStatus> QueryStatusAsync(CancellationToken ct)
    {
        var r = await client.ExecuteAsync("query-status", ct: ct);
        return new VmRunStatus(r.GetProperty("running").GetBoolean(), r.GetProperty("status").GetString() ?? "");
    }

    /// <inheritdoc/>
    public Task SystemPowerdownAsync(CancellationToken ct) => client.ExecuteAsync("system_powerdown", ct: ct);
    /// <inheritdoc/>
    public Task SystemResetAsync(CancellationToken ct) => client.ExecuteAsync("system_reset", ct: ct);
    /// <inheritdoc/>
    public Task StopAsync(CancellationToken ct) => client.ExecuteAsync("stop", ct: ct);
    /// <inheritdoc/>
    public Task ContAsync(CancellationToken ct) => client.ExecuteAsync("cont", ct: ct);

    /// <inheritdoc/>
    public async Task QuitAsync(CancellationToken ct)
    {
        // qemu may close the socket before its reply arrives; that is the quit succeeding.
        try { await client.ExecuteAsync("quit", ct: ct); }
        catch (QmpConnectionClosedException) { }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<VmEvent> EventsAsync([EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var e in client.Events(ct)) yield return new VmEvent(e.Name, e.Data.GetRawText());
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => client.DisposeAsync();
}
