using Tmds.DBus.Protocol;

namespace Infra.Systemd.Manager;

public sealed partial class SystemdManager
{
    static readonly MessageValueReader<string> ReadPath = static (m, _) => m.GetBodyReader().ReadObjectPathAsString();
    static readonly MessageValueReader<bool> NoReply = static (_, _) => true;

    MessageWriter ManagerCall(string member, string signature)
    {
        var w = _bus.GetMessageWriter();
        w.WriteMethodCallHeader(Service, ManagerPath, ManagerInterface, member, signature);
        return w;
    }

    Task<string> NameModeCall(string member, string name, string mode, TimeSpan? timeout, CancellationToken ct)
    {
        var w = ManagerCall(member, "ss");
        w.WriteString(name);
        w.WriteString(mode);
        return Call(ref w, member, name, ReadPath, timeout, ct);
    }

    /// <summary>Seals the message (arguments were checked as they were written, on the caller's thread) and sends it.</summary>
    Task<T> Call<T>(ref MessageWriter w, string what, string? unit, MessageValueReader<T> reader, TimeSpan? timeout, CancellationToken ct)
    {
        MessageBuffer message;
        try { message = w.CreateMessage(); }
        finally { w.Dispose(); }
        return SendAsync(message, what, unit, reader, timeout ?? _o.CallTimeout, ct);
    }

    // The library has no per-call timeout or cancellation: the wait is bounded here, and a reply that
    // comes later is dropped by the library when it arrives. The library completes a call on its
    // receive loop, where the caller's continuation would then run inline: the yield moves it to the
    // thread pool, so code that blocks after a call (sync-over-async, a long computation) can never
    // stall every other reply and signal.
    async Task<T> SendAsync<T>(MessageBuffer message, string what, string? unit, MessageValueReader<T> reader, TimeSpan limit, CancellationToken ct)
    {
        var call = OffContext(() => _bus.CallMethodAsync(message, reader)).WaitAsync(limit, _o.TimeProvider, ct);
        await ((Task)call).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await Task.Yield();
        try
        {
            return await call.ConfigureAwait(false); // done: returns or rethrows here, on the pool
        }
        catch (DBusErrorReplyException e)
        {
            throw SystemdErrors.Map(e, unit);
        }
        catch (TimeoutException)
        {
            throw new SystemdTimeoutException($"systemd did not answer {what}{(unit is null ? "" : $" for {unit}")} within {limit}");
        }
    }

    // A call may (re)connect, and the library's read loop then continues on the caller's
    // SynchronizationContext (a UI or test runner context): one blocked thread there would stall every
    // reply. Starting library work with no context keeps the loop on the thread pool.
    static T OffContext<T>(Func<T> start)
    {
        var context = SynchronizationContext.Current;
        if (context is null) return start();
        SynchronizationContext.SetSynchronizationContext(null);
        try { return start(); }
        finally { SynchronizationContext.SetSynchronizationContext(context); }
    }
}
