using Infra.Agent.Compute.Monitor;
using Infra.Qmp;
using Microsoft.Extensions.Logging;

namespace Infra.Agent.Vm.Monitor;

/// <summary>Opens <see cref="QmpVmMonitor"/>s: connect, greeting, qmp_capabilities, then state tracking.</summary>
public sealed class QmpVmMonitorFactory(ILogger? log = null) : IVmMonitorFactory
{
    /// <inheritdoc/>
    public async Task<IVmMonitor> ConnectAsync(string qmpSocketPath, TimeSpan timeout, CancellationToken ct)
    {
        var client = await QmpClient.ConnectAsync(qmpSocketPath, new QmpClientOptions { ConnectTimeout = timeout, DefaultTimeout = timeout }, log, ct)
            .ConfigureAwait(false);
        return await QmpVmMonitor.StartAsync(client, ct).ConfigureAwait(false);
    }
}
