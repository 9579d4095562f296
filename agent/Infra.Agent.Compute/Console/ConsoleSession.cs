namespace Infra.Agent.Compute.Console;

/// <summary>How a session wants to use a console's input (mirrors infra.v1.ConsoleAccess).</summary>
public enum ConsoleMode
{
    /// <summary>Never writes.</summary>
    ReadOnly,
    /// <summary>Writes if nobody else does; read-only otherwise.</summary>
    Write,
    /// <summary>Writes, taking input over from the session that had it.</summary>
    Takeover,
}

/// <summary>A session's role: whether its input goes to the guest, and why (for people).</summary>
public sealed record ConsoleRole(bool Writer, string Reason);

/// <summary>
/// What one <see cref="ConsoleSession.ReadAsync"/> returns: output (possibly empty), the bytes lost
/// just before it, a role change when there was one, and, on the last read, why the console closed.
/// </summary>
public sealed record ConsoleRead(byte[] Data, long Skipped, ConsoleRole? Role, string? Closed);

/// <summary>
/// One reader (and maybe the writer) of a VM's console. The pump pushes output into the session's
/// <see cref="ConsoleRing"/> without ever waiting, so a slow reader only loses its own oldest output.
/// Disposing it leaves the console (and gives up input if it had it).
/// </summary>
public sealed class ConsoleSession : IDisposable
{
    private readonly VmConsole _owner;
    private readonly object _lock = new();
    private readonly ConsoleRing _ring;
    private ConsoleRole? _roleChange;
    private string? _closed;
    private TaskCompletionSource? _waiter;

    internal ConsoleSession(VmConsole owner, string id, int bufferBytes, DateTimeOffset opened)
    {
        (_owner, Id, Opened) = (owner, id, opened);
        _ring = new ConsoleRing(bufferBytes);
    }

    /// <summary>The session's id (the console command's id).</summary>
    public string Id { get; }

    /// <summary>When it was opened.</summary>
    public DateTimeOffset Opened { get; }

    /// <summary>Whether its input goes to the guest now (changed by the console under its lock).</summary>
    public bool IsWriter { get; internal set; }

    internal void Push(ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            if (_closed is not null) return;
            _ring.Write(data);
        }
        Wake();
    }

    internal void SetRole(ConsoleRole role)
    {
        lock (_lock) _roleChange = role;
        Wake();
    }

    internal void Close(string why)
    {
        lock (_lock) _closed ??= why;
        Wake();
    }

    /// <summary>Waits for output, a role change or the close; returns at most <paramref name="max"/> bytes of output.</summary>
    public async Task<ConsoleRead> ReadAsync(int max, CancellationToken ct)
    {
        while (true)
        {
            Task wait;
            lock (_lock)
            {
                if (_ring.HasNews || _roleChange is not null || _closed is not null)
                {
                    var buffer = new byte[Math.Min(max, _ring.Count)];
                    var (n, skipped) = _ring.Read(buffer);
                    var role = _roleChange;
                    _roleChange = null;
                    // Output still held is delivered before the close.
                    var closed = _ring.Count == 0 ? _closed : null;
                    return new ConsoleRead(n == buffer.Length ? buffer : buffer[..n], skipped, role, closed);
                }
                _waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _waiter.Task;
            }
            await wait.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>Sends <paramref name="data"/> to the guest's serial input; refused unless this session is the writer.</summary>
    public Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken ct) => _owner.WriteAsync(this, data, ct);

    private void Wake()
    {
        TaskCompletionSource? w;
        lock (_lock) (w, _waiter) = (_waiter, null);
        w?.TrySetResult();
    }

    /// <summary>Leaves the console.</summary>
    public void Dispose() => _owner.Leave(this);
}
