using Infra.Agent.Core.Apply;
using Infra.Agent.Core.Commands;
using Infra.Agent.Core.State;
using Infra.Agent.Core.Status;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Infra.V1;
using Microsoft.Extensions.Logging;

namespace Infra.Agent.Core.Session;

/// <summary>
/// The agent's side of the southbound session. Model: dial, send Hello (host id, inventory, the
/// version the agent holds and has applied, boot id), wait for Welcome, then run three things until
/// the stream ends: the read loop (desired states, commands), heartbeats, and status reports (full
/// once, then changes). Everything written goes through one outbox drained by one write loop. When
/// the stream ends or fails the session is torn down and redialed with exponential backoff and
/// jitter, forever; nothing on the host is touched by a disconnect, because the apply loop keeps
/// enforcing the last persisted desired state on its own.
///
/// Desired state: each message is folded into the held snapshot (full replaces, delta applies on
/// its base), the result is persisted atomically, then applied; the ack (or nack with per-object
/// errors) follows the apply. A delta on a base the agent does not hold is nacked, and the agent
/// redials with applied_version 0, which asks the controller for a full state.
/// </summary>
public sealed partial class SouthboundClient(
    SessionOptions options,
    Func<CancellationToken, Task<HostInventory>> inventory,
    DesiredStateStore store,
    ApplyLoop apply,
    StatusCollector status,
    TimeProvider time,
    ILogger<SouthboundClient> log)
{
    private readonly ILogger _log = log;
    private readonly Random _jitter = new();
    private bool _forceFull;

    /// <summary>Runs the controller's commands; null answers every command with "not supported".</summary>
    public ICommandExecutor? Commands { get; init; }

    /// <summary>The session's state.</summary>
    public SessionState State { get; private set; } = SessionState.Disconnected;

    /// <summary>Raised when <see cref="State"/> changes.</summary>
    public event Action<SessionState, string>? StateChanged;

    /// <summary>Sessions established so far.</summary>
    public int Sessions { get; private set; }

    /// <summary>Runs sessions until <paramref name="ct"/> fires.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        using var channel = ControllerChannel.Create(options);
        var attempt = 0;
        while (!ct.IsCancellationRequested)
        {
            var established = false;
            try
            {
                established = await RunSessionAsync(channel, ct);
                SetState(SessionState.Disconnected, "the controller ended the session");
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { break; }
            catch (Exception e)
            {
                SetState(SessionState.Disconnected, e.Message);
                LogSessionFailed(string.Join(",", options.Urls), e.GetType().Name, e.Message);
            }
            if (established) attempt = 0;
            // Also after a base mismatch: a controller that keeps sending bad deltas must not make the agent spin.
            var delay = Backoff.Delay(attempt++, options.MinBackoff, options.MaxBackoff, _jitter.NextDouble());
            LogReconnecting(delay.TotalMilliseconds);
            try { await Task.Delay(delay, time, ct); } catch (OperationCanceledException) { break; }
        }
        SetState(SessionState.Disconnected, "stopping");
    }

    /// <summary>The version to claim in Hello: the held snapshot, if its last apply converged; else 0 (asks for a full state).</summary>
    internal ulong HelloVersion()
    {
        if (_forceFull) return 0;
        var held = apply.Current;
        return apply.LastOutcome is { } o && o.Version == held.Version && o.Errors.Count == 0 ? held.Version : 0;
    }

    /// <summary>The channel's invoker with the bearer token (when configured) on every call.</summary>
    private CallInvoker Invoker(GrpcChannel channel) => options.Token is { Length: > 0 } t
        ? channel.Intercept(m => { m.Add("authorization", "Bearer " + t); return m; })
        : channel.CreateCallInvoker();

    private void SetState(SessionState s, string why)
    {
        if (State == s) return;
        var previous = State;
        State = s;
        // Failed dials are logged once by the retry loop; only gaining or losing a session is news here.
        if (s == SessionState.Connected || previous == SessionState.Connected) LogState(s.ToString(), why);
        StateChanged?.Invoke(s, why);
    }
}
