using System.Diagnostics;
using Google.Protobuf;
using Infra.Ctl.Cli;
using Infra.Ctl.Errors;
using Infra.Grpc;
using Infra.V1;

namespace Infra.Ctl.Commands;

/// <summary>
/// One "instance console" session. Output bytes go to stdout as they come; notes (the session's
/// role, output skipped, the close) go to stderr in brackets. Interactive (stdin is a terminal): raw
/// mode, every key is sent except the detach key, which ends the session; a read-only session sends
/// nothing. Piped: stdin is sent as it is read (also by a session that turned out read-only, so the
/// controller's refusal, exit 6, tells the script); when stdin ends the session lingers until the
/// output was quiet for a while. --timeout ends it too. Ending on purpose (detach, end of input,
/// timeout, Ctrl-C) or because the console closed (the VM stopped) exits 0; failures exit as any call.
/// </summary>
public sealed class ConsoleAttach(CtlSession s, ConsoleRequest open, TimeSpan linger)
{
    /// <summary>Ctrl-], as telnet and virsh use.</summary>
    public const byte DetachKey = 0x1d;
    public const string DetachKeyName = "Ctrl-]";

    readonly TaskCompletionSource _status = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly Stopwatch _sinceOutput = Stopwatch.StartNew();
    volatile bool _writer;
    string _nl = "\n";

    public async Task<int> RunAsync()
    {
        var terminal = s.Host.Terminal();
        var interactive = terminal.IsInteractive;
        var readOnly = open.Open.Access == ConsoleAccess.ReadOnly;
        var id = open.Open.InstanceId;
        using var deadline = s.TimeoutFlag is { } t ? new CancellationTokenSource(t) : new CancellationTokenSource();
        using var session = CancellationTokenSource.CreateLinkedTokenSource(s.CancellationToken, deadline.Token);
        var options = s.Call(streaming: true) with { Timeout = null, CancellationToken = session.Token };
        using var call = s.Transport.DuplexStreaming(Instances.ConsoleMethod, options);
        await call.RequestStream.WriteAsync(open, session.Token);
        var stdout = terminal.OpenOutput();
        using var raw = interactive ? terminal.EnterRawMode() : null;
        _nl = interactive ? "\r\n" : "\n";
        if (interactive) Note($"connected to the console of instance {id}; {DetachKeyName} detaches");

        var output = ReadOutputAsync(call, stdout, session.Token);
        var input = readOnly && !interactive ? NeverAsync(session.Token) : SendInputAsync(call, terminal.OpenInput(), interactive, session.Token);
        try
        {
            if (await Task.WhenAny(output, input) == input && !output.IsCompleted)
            {
                bool detached;
                try { detached = await input; }
                catch (Exception) when (!session.IsCancellationRequested)
                {
                    // Sending failed because the call did: the output side has its status.
                    await output;
                    throw;
                }
                if (detached) { Note("detached"); return ExitCodes.Ok; }
                // End of piped input: no more to send; print what the guest still answers, then stop.
                await call.RequestStream.CompleteAsync();
                lock (_sinceOutput) _sinceOutput.Restart();
                for (var left = linger - Quiet(); !output.IsCompleted && left > TimeSpan.Zero; left = linger - Quiet())
                    await Task.WhenAny(output, Task.Delay(left, session.Token));
                if (!output.IsCompleted) return ExitCodes.Ok;
            }
            await output;
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is OperationCanceledException || e is RpcException { StatusCode: StatusCode.Cancelled })
        {
            // Our own ends: --timeout, Ctrl-C, or the call cancelled after one of them.
            if (!session.IsCancellationRequested) throw;
            if (interactive) Note(deadline.IsCancellationRequested ? "timeout: detached" : "detached");
            return ExitCodes.Ok;
        }
        finally
        {
            await session.CancelAsync();
            try { await Task.WhenAll(output, input).WaitAsync(TimeSpan.FromSeconds(1)); } catch (Exception) { /* already handled above, or a blocked stdin read */ }
        }
    }

    async Task ReadOutputAsync(AsyncDuplexStreamingCall<ConsoleRequest, ConsoleResponse> call, Stream stdout, CancellationToken ct)
    {
        try
        {
            while (await call.ResponseStream.MoveNext(ct))
            {
                var r = call.ResponseStream.Current;
                if (r.SkippedBytes > 0) Note($"{r.SkippedBytes} bytes of output skipped: this client read too slowly");
                if (!r.Data.IsEmpty)
                {
                    r.Data.WriteTo(stdout);
                    await stdout.FlushAsync(ct);
                    lock (_sinceOutput) _sinceOutput.Restart();
                }
                if (r.Status is { } st)
                {
                    _writer = st.Writer;
                    Note(st.Reason);
                    _status.TrySetResult();
                }
                if (r.Closed.Length > 0) { Note($"console closed: {r.Closed}"); return; }
            }
        }
        finally { _status.TrySetResult(); }
    }

    /// <summary>Sends stdin until it ends (false) or the detach key is typed (true).</summary>
    async Task<bool> SendInputAsync(AsyncDuplexStreamingCall<ConsoleRequest, ConsoleResponse> call, Stream stdin, bool interactive, CancellationToken ct)
    {
        var buffer = new byte[interactive ? 4096 : 64 << 10];
        var warned = false;
        await _status.Task.WaitAsync(ct);     // know the role before the first key
        while (true)
        {
            var n = await stdin.ReadAsync(buffer, ct);
            if (n == 0) return interactive;   // a terminal that closed is a detach too
            var data = buffer.AsMemory(0, n);
            if (interactive)
            {
                var detach = data.Span.IndexOf(DetachKey);
                if (detach >= 0)
                {
                    if (detach > 0 && _writer) await SendAsync(data[..detach]);
                    return true;
                }
                if (!_writer)
                {
                    if (!warned) Note($"read-only: keys are not sent; {DetachKeyName} detaches");
                    warned = true;
                    continue;
                }
            }
            await SendAsync(data);
        }

        Task SendAsync(ReadOnlyMemory<byte> d) => call.RequestStream.WriteAsync(new ConsoleRequest { Input = ByteString.CopyFrom(d.Span) }, ct);
    }

    TimeSpan Quiet() { lock (_sinceOutput) return _sinceOutput.Elapsed; }

    /// <summary>A watcher with piped stdin reads none of it: it ends with the console, --timeout or Ctrl-C.</summary>
    static async Task<bool> NeverAsync(CancellationToken ct)
    {
        await Task.Delay(Timeout.Infinite, ct);
        return false;
    }

    void Note(string text)
    {
        lock (s.Err) { s.Err.Write($"[{text}]{_nl}"); s.Err.Flush(); }
    }
}
