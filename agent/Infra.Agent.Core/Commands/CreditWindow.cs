namespace Infra.Agent.Core.Commands;

/// <summary>
/// Flow control of one command's data chunks: the command starts with <c>window</c> credits, each
/// chunk sent takes one, each CommandControl.credit adds what it says. A sender without credit
/// waits; cancellation wakes it. Credits beyond a sane ceiling are clamped so a confused controller
/// cannot overflow the count.
/// </summary>
public sealed class CreditWindow
{
    /// <summary>The window when the command says 0.</summary>
    public const int DefaultWindow = 4;
    private const long Ceiling = 1 << 20;
    private readonly object _gate = new();
    private long _available;
    private TaskCompletionSource? _waiter;

    public CreditWindow(uint window) => _available = window == 0 ? DefaultWindow : window;

    /// <summary>Chunks that may be sent now.</summary>
    public long Available { get { lock (_gate) return _available; } }

    /// <summary>Adds credit (CommandControl.credit).</summary>
    public void Grant(uint credit)
    {
        TaskCompletionSource? wake;
        lock (_gate)
        {
            _available = Math.Min(Ceiling, _available + credit);
            (wake, _waiter) = (_waiter, null);
        }
        wake?.TrySetResult();
    }

    /// <summary>Takes one credit if there is one.</summary>
    public bool TryTake()
    {
        lock (_gate)
        {
            if (_available <= 0) return false;
            _available--;
            return true;
        }
    }

    /// <summary>Takes one credit, waiting for a grant when there is none.</summary>
    public async Task TakeAsync(CancellationToken ct)
    {
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                if (_available > 0) { _available--; return; }
                _waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _waiter.Task;
            }
            await wait.WaitAsync(ct).ConfigureAwait(false);
        }
    }
}
