using System.Net.Sockets;
using Infra.Agent.Compute.Model;
using Microsoft.Extensions.Logging;

namespace Infra.Agent.Compute.Console;

/// <summary>
/// One VM's serial console, as the agent holds it. Model: qemu serves the guest's ttyS0 on
/// <c>con.sock</c> (a socket chardev, <c>server=on,wait=off</c>); the agent is its one client. A pump
/// reads whatever the guest writes, at once and always (with or without sessions), appends it to the
/// capped <see cref="SerialLog"/> and pushes it into every session's ring, none of which can make the
/// pump wait, so the guest is never slowed by a reader. While no client is connected (the agent is
/// restarting) qemu drops the output and the guest runs on; the next agent reconnects, which qemu
/// accepts because it listens again after a client leaves, and notes the gap in the log.
///
/// Input comes from one session at a time, the writer (see <see cref="ConsoleMode"/>). When qemu's
/// side closes (the VM stopped), every session ends with the reason; a new qemu is connected by
/// <see cref="ConsoleHub.StartedAsync"/>.
/// </summary>
public sealed partial class VmConsole
{
    private readonly VmPaths _paths;
    private readonly ConsoleOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly object _gate = new();
    private readonly List<ConsoleSession> _sessions = [];
    private readonly SemaphoreSlim _input = new(1, 1);
    private ConsoleSession? _writer;
    private Socket? _socket;
    private SerialLog? _serialLog;
    private bool _logFailing;
    private string? _closeReason;
    private Task _pump = Task.CompletedTask;
    private CancellationTokenSource? _stop;

    internal VmConsole(string vmId, VmPaths paths, ConsoleOptions options, TimeProvider time, ILogger log) =>
        (VmId, _paths, _options, _time, _log) = (vmId, paths, options, time, log);

    /// <summary>The VM.</summary>
    public string VmId { get; }

    /// <summary>Whether qemu's console is connected now.</summary>
    public bool IsConnected { get { lock (_gate) return _socket is not null; } }

    /// <summary>Sessions open now.</summary>
    public int SessionCount { get { lock (_gate) return _sessions.Count; } }

    /// <summary>Connects unless a pump already runs. <paramref name="fresh"/>: a qemu started just now (no gap to note).</summary>
    internal void Ensure(bool fresh)
    {
        lock (_gate)
        {
            if (!_pump.IsCompleted) return;
            _stop?.Dispose();
            _stop = new CancellationTokenSource();
            var ct = _stop.Token;
            _closeReason = null;
            _pump = Task.Run(() => PumpAsync(fresh, ct));
        }
    }

    /// <summary>Drops the connection (if any) and waits for the pump to end; sessions end with <paramref name="why"/>.</summary>
    internal async Task StopAsync(string why)
    {
        Task pump;
        lock (_gate)
        {
            pump = _pump;
            _closeReason = why;
            _stop?.Cancel();
        }
        await pump.ConfigureAwait(false);
    }

    /// <summary>The end of the log, read under the pump's lock so it never tears an append.</summary>
    public (byte[] Data, bool Truncated) ReadLog(int bytes)
    {
        lock (_gate) return SerialLog.ReadTail(_paths.SerialLog, bytes);
    }

    private async Task PumpAsync(bool fresh, CancellationToken ct)
    {
        Socket? socket = null;
        try
        {
            socket = await ConnectAsync(ct).ConfigureAwait(false);
            if (socket is null) return;
            var log = OpenLog();
            if (!fresh) Try(() => log?.Note($"{_time.GetUtcNow():yyyy-MM-dd HH:mm:ss}Z console reattached; output while no agent was connected is not in this log"));
            lock (_gate) (_socket, _serialLog) = (socket, log);
            LogConnected(VmId, fresh ? "started" : "running");
            var buffer = new byte[64 << 10];
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, ct).ConfigureAwait(false);
                if (n == 0) break;
                Deliver(buffer.AsSpan(0, n));
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        catch (SocketException e) { LogLost(VmId, e.Message); }
        finally
        {
            List<ConsoleSession> closing;
            SerialLog? log;
            string why;
            lock (_gate)
            {
                closing = [.. _sessions];
                _sessions.Clear();
                _writer = null;
                (_socket, log, _serialLog) = (null, _serialLog, null);
                why = _closeReason ?? "the VM stopped (qemu closed its console)";
            }
            foreach (var s in closing) { s.IsWriter = false; s.Close(why); }
            log?.Dispose();
            socket?.Dispose();
            if (socket is not null) LogDisconnected(VmId, why);
        }
    }

    private async Task<Socket?> ConnectAsync(CancellationToken ct)
    {
        // A fresh qemu creates the socket a moment after its pidfile: retry briefly, then give up
        // quietly (the next observation of a running VM tries again).
        var deadline = _time.GetUtcNow() + _options.ConnectTimeout;
        var delay = TimeSpan.FromMilliseconds(5);
        while (true)
        {
            var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await s.ConnectAsync(new UnixDomainSocketEndPoint(_paths.ConsoleSocket), ct).ConfigureAwait(false);
                return s;
            }
            catch (SocketException e)
            {
                s.Dispose();
                if (_time.GetUtcNow() >= deadline) { LogUnreachable(VmId, _paths.ConsoleSocket, e.Message); return null; }
            }
            await Task.Delay(delay, _time, ct).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromMilliseconds(100).Ticks));
        }
    }

    private SerialLog? OpenLog()
    {
        try { return new SerialLog(_paths.SerialLog, _options.LogBytes); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Without a log the console still works; the guest's output still flows to sessions.
            LogWriteFailed(VmId, _paths.SerialLog, e.Message);
            return null;
        }
    }

    private void Deliver(ReadOnlySpan<byte> data)
    {
        lock (_gate)
        {
            if (_serialLog is { } log)
            {
                try { log.Append(data); _logFailing = false; }
                catch (IOException e) when (!_logFailing) { _logFailing = true; LogWriteFailed(VmId, _paths.SerialLog, e.Message); }
                catch (IOException) { /* reported once until a write works again */ }
            }
            foreach (var s in _sessions) s.Push(data);
        }
    }

    private static void Try(Action a)
    {
        try { a(); } catch (IOException) { /* a note is best effort */ }
    }
}
