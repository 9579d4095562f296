using System.Threading.Channels;

namespace Infra.Controller.Southbound.Session;

/// <summary>
/// The coalescing primitive: any number of <see cref="Set"/> calls between two waits are one wake-up.
/// A consumer that recomputes from current state after each wake-up therefore does one recompute per
/// burst, never one per event, and never misses a change made after it started recomputing.
/// </summary>
public sealed class DirtyFlag
{
    readonly Channel<bool> _slot = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Set() => _slot.Writer.TryWrite(true);

    /// <summary>Waits until the flag is set, then clears it.</summary>
    public async Task WaitAsync(CancellationToken ct) => await _slot.Reader.ReadAsync(ct).ConfigureAwait(false);

    /// <summary>Clears the flag if set (after a coalescing pause, before recomputing).</summary>
    public void Clear() => _slot.Reader.TryRead(out _);
}
