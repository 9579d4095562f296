using System.Collections.Concurrent;
using Infra.Agent.Compute.Model;
using Microsoft.Extensions.Logging;

namespace Infra.Agent.Compute.Console;

/// <summary>
/// The consoles of every VM on the host, one <see cref="VmConsole"/> each. The VM manager drives it:
/// a qemu it starts is connected at once (<see cref="StartedAsync"/>, before the guest prints), a
/// running qemu it observes is connected if it is not yet (after an agent restart), and a deleted VM's
/// console is closed before its state directory goes. Disposing closes the connections; VMs run on.
/// </summary>
public sealed class ConsoleHub(ConsoleOptions options, TimeProvider time, ILogger log) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, VmConsole> _consoles = new(StringComparer.Ordinal);

    /// <summary>The limits in force.</summary>
    public ConsoleOptions Options { get; } = options;

    /// <summary>The VM's console, or null when the agent has never connected one for it.</summary>
    public VmConsole? Find(string vmId) => _consoles.GetValueOrDefault(vmId);

    /// <summary>The end of a VM's serial log (also of a VM that is not running).</summary>
    public (byte[] Data, bool Truncated) ReadLog(string vmId, VmPaths paths, int bytes) =>
        Find(vmId) is { } c ? c.ReadLog(bytes) : SerialLog.ReadTail(paths.SerialLog, bytes);

    /// <summary>A qemu was just started for the VM: drop any connection to an old one and connect.</summary>
    public async Task StartedAsync(string vmId, VmPaths paths)
    {
        var c = Get(vmId, paths);
        await c.StopAsync("the VM restarted").ConfigureAwait(false);
        c.Ensure(fresh: true);
    }

    /// <summary>The VM's qemu runs: connect its console unless connected (a no-op almost always).</summary>
    public void Observed(string vmId, VmPaths paths) => Get(vmId, paths).Ensure(fresh: false);

    /// <summary>The VM is being deleted: end its sessions and let go of its log.</summary>
    public async Task RemoveAsync(string vmId)
    {
        if (_consoles.TryRemove(vmId, out var c)) await c.StopAsync("the VM was deleted").ConfigureAwait(false);
    }

    private VmConsole Get(string vmId, VmPaths paths) => _consoles.GetOrAdd(vmId, id => new VmConsole(id, paths, Options, time, log));

    /// <summary>Closes every connection (sessions end); qemu keeps running and drops output until an agent reconnects.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var c in _consoles.Values) await c.StopAsync("the agent is stopping").ConfigureAwait(false);
    }
}
