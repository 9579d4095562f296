using Infra.Controller.Southbound.Cluster;
using Infra.Controller.Southbound.Commands;
using Infra.Controller.Southbound.Desired;
using Infra.Flows;
using Grpc.Core;
using Infra.Store;
using Infra.V1;
using Microsoft.Extensions.Logging;

namespace Infra.Controller.Southbound.Session;

/// <summary>
/// The AgentSession.Connect handler. A session is: Hello (validated, the host registered UP),
/// Welcome, then a write loop that sends the host's desired state whenever the shared change feed
/// marks it dirty (full on first contact or when the agent holds another version than the ledger's,
/// deltas afterwards), and a read loop that records acks, nacks, status reports and heartbeats.
/// The two loops share only the session's version bookkeeping; the response stream is written by the
/// write loop alone (Welcome goes out before it starts), which also drains the session's command
/// queue (<see cref="CommandChannel"/>); the read loop routes CommandResults to their commands. The
/// session is published in the store's session directory so any replica can relay commands here.
/// </summary>
public sealed partial class AgentSessionService(
    IKeyValueStore store, ChangeFeed feed, SessionRegistry registry, SnapshotCache snapshots, SouthboundOptions options,
    SessionDirectory directory, RevocationWatch revocations, TimeProvider time, ILogger<AgentSessionService> log) : Infra.V1.AgentSession.AgentSessionBase
{
    readonly HostRecords _hosts = new(store, time);
    readonly StatusApplier _status = new(store, log);
    readonly DesiredLedger _ledger = new(store);

    public override async Task Connect(IAsyncStreamReader<AgentMessage> requestStream, IServerStreamWriter<ControllerMessage> responseStream, ServerCallContext context)
    {
        var callCt = context.CancellationToken;
        if (!await requestStream.MoveNext(callCt).ConfigureAwait(false))
            throw new RpcException(new Status(StatusCode.InvalidArgument, "the stream ended before Hello; send Hello first"));
        var first = requestStream.Current;
        var errors = HelloValidator.Validate(first.MsgCase == AgentMessage.MsgOneofCase.Hello ? first.Hello : null);
        if (errors.Count > 0)
        {
            LogHelloRejected(log, context.Peer, string.Join("; ", errors));
            throw new RpcException(new Status(StatusCode.InvalidArgument, "Hello rejected: " + string.Join("; ", errors)));
        }
        var hello = first.Hello;
        var hostId = hello.HostId;
        CheckIdentity(context, hostId);
        var sessionId = Guid.NewGuid().ToString("n")[..12];
        using var lease = registry.Claim(hostId, sessionId);
        // After Claim: a revocation from now on finds the session (RevocationWatch), one before is seen here.
        if (await revocations.IsRevokedAsync(hostId, callCt).ConfigureAwait(false))
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"host {hostId} was revoked; re-enroll it with a join token bound to it"));
        await _hosts.RegisterAsync(hello, callCt).ConfigureAwait(false);
        try
        {
            await directory.PublishAsync(hostId, sessionId, callCt).ConfigureAwait(false);
            await RunSessionAsync(hello, sessionId, lease, requestStream, responseStream, context).ConfigureAwait(false);
        }
        finally
        {
            // Commands in flight fail UNAVAILABLE; the directory entry goes unless a newer session took it.
            lease.Commands.Close();
            try { await directory.WithdrawAsync(hostId, sessionId, CancellationToken.None).ConfigureAwait(false); }
            catch (Exception e) when (e is not OutOfMemoryException) { LogWithdrawFailed(log, hostId, sessionId, e.Message); }
        }
    }

    async Task RunSessionAsync(Hello hello, string sessionId, SessionRegistry.Lease lease, IAsyncStreamReader<AgentMessage> requestStream,
        IServerStreamWriter<ControllerMessage> responseStream, ServerCallContext context)
    {
        var hostId = hello.HostId;
        var callCt = context.CancellationToken;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(callCt, lease.Superseded);
        var ct = cts.Token;
        await responseStream.WriteAsync(new ControllerMessage
        {
            Welcome = new Welcome
            {
                SessionId = sessionId, ControllerId = options.ControllerId,
                HeartbeatIntervalMs = (uint)options.HeartbeatInterval.TotalMilliseconds,
            },
        }, ct).ConfigureAwait(false);
        LogSessionStarted(log, hostId, sessionId, hello.AppliedVersion, context.Peer);

        var state = new SessionState(hostId, hello.AppliedVersion, await _ledger.LoadAsync(hostId, ct).ConfigureAwait(false));
        using var sub = feed.Subscribe();
        var reading = ReadLoopAsync(requestStream, state, lease.Commands, ct);
        var writing = WriteLoopAsync(responseStream, state, sub, lease.Commands, ct);
        await Task.WhenAny(reading, writing).ConfigureAwait(false);
        cts.Cancel();
        try { await Task.WhenAll(reading, writing).ConfigureAwait(false); }
        catch (Exception) { /* inspected below, task by task */ }
        var failure = new[] { reading, writing }.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!)
            .FirstOrDefault(e => e is not OperationCanceledException);
        if (failure is RpcException rpc) throw rpc;
        if (failure is not null && !callCt.IsCancellationRequested && !lease.Superseded.IsCancellationRequested)
        {
            LogSessionFailed(log, hostId, sessionId, failure.Message);
            throw new RpcException(new Status(StatusCode.Internal, $"session for host {hostId} failed: {failure.Message}; reconnect"));
        }
        LogSessionEnded(log, hostId, sessionId);
        if (lease.Revoked)
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"host {hostId} was revoked; its session ended and its certificate is refused"));
        if (lease.Superseded.IsCancellationRequested)
            throw new RpcException(new Status(StatusCode.Aborted, $"a newer session for host {hostId} replaced this one"));
    }

    /// <summary>
    /// A host's certificate (checked by the authentication step) names the only host it may speak for:
    /// Hello.host_id must be that id. Without a certificate (operators' bearer tokens, while admins may
    /// open sessions: Access.AdminOnSouthbound) there is nothing to compare.
    /// </summary>
    static void CheckIdentity(ServerCallContext context, string helloHostId)
    {
        var cert = context.GetHttpContext().Connection.ClientCertificate;
        if (cert is null) return;
        if (!Infra.Controller.Domain.Enrollment.HostIdentity.TryRead(cert, out var certHostId))
            throw new RpcException(new Status(StatusCode.PermissionDenied, "the client certificate names no host (infra://host/<id> URI SAN); enroll the host"));
        if (certHostId != helloHostId)
            throw new RpcException(new Status(StatusCode.PermissionDenied,
                $"Hello.host_id '{helloHostId}' is not the host of the client certificate ('{certHostId}'); a host may only speak for itself: set host_id to '{certHostId}'"));
    }

    /// <summary>Versions as this session sees them; touched by both loops, so under a lock.</summary>
    sealed class SessionState(string hostId, ulong agentVersion, LastSent? last)
    {
        public readonly object Gate = new();
        public string HostId { get; } = hostId;
        public ulong AgentVersion = agentVersion;
        public LastSent? Last = last;
        public bool ForceFull;
    }

    async Task WriteLoopAsync(IServerStreamWriter<ControllerMessage> stream, SessionState s, ChangeFeed.Subscription sub,
        CommandChannel commands, CancellationToken ct)
    {
        // Two sources, one writer: each wait is kept until it completes, so no waiter is ever leaked.
        var dirty = sub.WaitAsync(ct);
        var command = commands.Outgoing.WaitToReadAsync(ct).AsTask();
        while (true)
        {
            await Task.WhenAny(dirty, command).ConfigureAwait(false);
            if (command.IsCompleted)
            {
                if (!await command.ConfigureAwait(false)) command = Task.Delay(Timeout.Infinite, ct).ContinueWith(_ => false, TaskScheduler.Default);
                else
                {
                    while (commands.Outgoing.TryRead(out var m)) await stream.WriteAsync(m, ct).ConfigureAwait(false);
                    command = commands.Outgoing.WaitToReadAsync(ct).AsTask();
                }
            }
            if (dirty.IsCompleted)
            {
                await dirty.ConfigureAwait(false);
                if (options.CoalesceWindow > TimeSpan.Zero)
                {
                    await Task.Delay(options.CoalesceWindow, ct).ConfigureAwait(false);
                    sub.Drain();
                }
                await PushAsync(stream, s, ct).ConfigureAwait(false);
                dirty = sub.WaitAsync(ct);
            }
        }
    }

    async Task PushAsync(IServerStreamWriter<ControllerMessage> stream, SessionState s, CancellationToken ct)
    {
        var snapshot = await snapshots.GetAsync(ct).ConfigureAwait(false);
        LastSent? last;
        ulong agentVersion;
        bool forceFull;
        lock (s.Gate) (last, agentVersion, forceFull) = (s.Last, s.AgentVersion, s.ForceFull);
        DesiredBuild build;
        try
        {
            build = DesiredStateBuilder.Build(snapshot, s.HostId, last?.Resources, options.ShutdownTimeoutSeconds);
        }
        catch (FlowCompilationException e)
        {
            // Keep the agent on its last good state; the next store change retries.
            LogBuildFailed(log, s.HostId, snapshot.Revision, e.Message);
            return;
        }
        foreach (var p in build.Problems) LogBuildProblem(log, s.HostId, p);
        var message = DeltaPlanner.Plan(last, build.Resources, agentVersion, forceFull);
        if (message is null) return;
        var sent = new LastSent(message.Version, build.Resources);
        await _ledger.SaveAsync(s.HostId, sent, ct).ConfigureAwait(false);
        await stream.WriteAsync(new ControllerMessage { Desired = message }, ct).ConfigureAwait(false);
        lock (s.Gate)
        {
            s.Last = sent;
            s.AgentVersion = message.Version;
            s.ForceFull = false;
        }
        LogDesiredSent(log, s.HostId, message.Version, message.Full, message.Upserts.Count, message.Removals.Count, snapshot.Revision);
    }

    async Task ReadLoopAsync(IAsyncStreamReader<AgentMessage> stream, SessionState s, CommandChannel commands, CancellationToken ct)
    {
        while (await stream.MoveNext(ct).ConfigureAwait(false))
        {
            var m = stream.Current;
            switch (m.MsgCase)
            {
                case AgentMessage.MsgOneofCase.Ack:
                    await _hosts.AckAsync(s.HostId, m.Ack.Version, ct).ConfigureAwait(false);
                    break;
                case AgentMessage.MsgOneofCase.Nack:
                    LogNacked(log, s.HostId, m.Nack.Version, AgentText.Cap(m.Nack.Error), m.Nack.Errors.Count);
                    // The agent applied part of it: its state is no longer a known version, so the
                    // next push is a full state (not immediately, which would loop on a hard failure).
                    lock (s.Gate) s.ForceFull = true;
                    await _status.ApplyNackAsync(s.HostId, m.Nack, ct).ConfigureAwait(false);
                    break;
                case AgentMessage.MsgOneofCase.Status:
                    await _status.ApplyAsync(s.HostId, m.Status, ct).ConfigureAwait(false);
                    break;
                case AgentMessage.MsgOneofCase.Heartbeat:
                    await _hosts.HeartbeatAsync(s.HostId, ct).ConfigureAwait(false);
                    break;
                case AgentMessage.MsgOneofCase.Hello:
                    throw new RpcException(new Status(StatusCode.InvalidArgument, "Hello may only be the first message of a session"));
                case AgentMessage.MsgOneofCase.CommandResult:
                    // Never waits: a full buffer fails that command, not the session.
                    if (!commands.Deliver(m.CommandResult)) LogUnsolicitedCommandResult(log, s.HostId, m.CommandResult.CommandId);
                    break;
            }
        }
    }
}
