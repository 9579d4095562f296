using System.Threading.Channels;
using Google.Protobuf.WellKnownTypes;
using Infra.Agent.Core.Apply;
using Infra.Agent.Core.Commands;
using Infra.Agent.Core.State;
using Infra.Agent.Core.Status;
using Grpc.Core;
using Grpc.Net.Client;
using Infra.V1;

namespace Infra.Agent.Core.Session;

public sealed partial class SouthboundClient
{
    /// <summary>One session; true when it got as far as Welcome.</summary>
    private async Task<bool> RunSessionAsync(GrpcChannel channel, CancellationToken ct)
    {
        SetState(SessionState.Connecting, $"dialing {string.Join(", ", options.Urls)}");
        using var session = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var call = new AgentSession.AgentSessionClient(Invoker(channel)).Connect(new CallOptions(cancellationToken: session.Token));
        var outbox = Channel.CreateUnbounded<AgentMessage>(new() { SingleReader = true });
        var writer = WriteLoopAsync(call.RequestStream, outbox.Reader, session.Token);
        var background = new List<Task> { writer };
        CommandDispatcher? commands = null;
        try
        {
            var claimed = HelloVersion();
            outbox.Writer.TryWrite(new AgentMessage
            {
                Hello = new Hello { HostId = options.HostId, Inventory = await inventory(session.Token), AppliedVersion = claimed, BootId = options.BootId },
            });
            var welcome = await ReadWelcomeAsync(call.ResponseStream, session.Token);
            _forceFull = false;
            Sessions++;
            LogWelcome(welcome.ControllerId, welcome.SessionId, welcome.HeartbeatIntervalMs, claimed);
            SetState(SessionState.Connected, $"session {welcome.SessionId} with {welcome.ControllerId}");

            var heartbeat = welcome.HeartbeatIntervalMs > 0 ? TimeSpan.FromMilliseconds(welcome.HeartbeatIntervalMs) : options.DefaultHeartbeat;
            var acks = new AckTracker();
            var outboxWriter = outbox.Writer;
            commands = Commands is { } executor
                ? new CommandDispatcher(executor, r => outboxWriter.TryWrite(new AgentMessage { CommandResult = r }), _log)
                : null;
            var nudge = new SemaphoreSlim(0, int.MaxValue);
            void OnApplied(ApplyOutcome _) => nudge.Release();
            apply.Applied += OnApplied;
            try
            {
                background.Add(HeartbeatLoopAsync(outbox.Writer, heartbeat, session.Token));
                background.Add(StatusLoopAsync(outbox.Writer, nudge, session.Token));
                while (await call.ResponseStream.MoveNext(session.Token))
                {
                    var m = call.ResponseStream.Current;
                    if (m.MsgCase == ControllerMessage.MsgOneofCase.Desired)
                    {
                        if (!await OnDesiredAsync(m.Desired, outbox.Writer, acks, session.Token)) break;
                    }
                    else if (m.MsgCase == ControllerMessage.MsgOneofCase.Command)
                    {
                        if (commands is not null) commands.Dispatch(m.Command);
                        else
                        {
                            LogCommandUnsupported(m.Command.Id, m.Command.OpCase.ToString());
                            outbox.Writer.TryWrite(new AgentMessage { CommandResult = new CommandResult { CommandId = m.Command.Id, Done = true, Error = $"command {m.Command.OpCase} is not supported by this agent" } });
                        }
                    }
                    else if (m.MsgCase == ControllerMessage.MsgOneofCase.Control) commands?.Control(m.Control);
                }
                // A write that failed ends the session as surely as the read side ending.
                if (writer.IsFaulted) await writer;
            }
            finally { apply.Applied -= OnApplied; }
            return true;
        }
        finally
        {
            // Commands die with the session (the controller fails their callers); they release what they hold first.
            if (commands is not null) await commands.DisposeAsync();
            // Let what is queued (a nack saying why the session ends, say) reach the controller first.
            outbox.Writer.TryComplete();
            try
            {
                await writer.WaitAsync(TimeSpan.FromSeconds(2), ct);
                // Half-close and wait for the controller to end its side, so the last frames are not
                // reset away with the call.
                await call.RequestStream.CompleteAsync();
                using var drain = CancellationTokenSource.CreateLinkedTokenSource(session.Token);
                drain.CancelAfter(TimeSpan.FromSeconds(2));
                while (await call.ResponseStream.MoveNext(drain.Token)) { }
            }
            catch (Exception) { /* a broken or slow stream drops the rest */ }
            await session.CancelAsync();
            foreach (var t in background)
                try { await t; } catch (Exception) { /* the session is over; its tasks end with it */ }
        }
    }

    private async Task<Welcome> ReadWelcomeAsync(IAsyncStreamReader<ControllerMessage> responses, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.WelcomeTimeout);
        try
        {
            if (!await responses.MoveNext(timeout.Token)) throw new IOException("the controller closed the session before Welcome");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"no Welcome within {options.WelcomeTimeout.TotalSeconds:F0} s of Hello");
        }
        var first = responses.Current;
        return first.MsgCase == ControllerMessage.MsgOneofCase.Welcome
            ? first.Welcome
            : throw new InvalidDataException($"the controller's first message was {first.MsgCase}, not Welcome");
    }

    /// <summary>Folds, persists, applies and acks one desired state; false to end the session (resync needed).</summary>
    private async Task<bool> OnDesiredAsync(DesiredState msg, ChannelWriter<AgentMessage> outbox, AckTracker acks, CancellationToken ct)
    {
        switch (DesiredStateMerge.Apply(apply.Current, msg))
        {
            case MergeResult.BaseMismatch mm:
                LogBaseMismatch(msg.Version, mm.Base, mm.Held);
                outbox.TryWrite(new AgentMessage { Nack = new Nack { Version = msg.Version, Error = $"delta is based on v{mm.Base} but the agent holds v{mm.Held}; reconnecting with applied_version 0 for a full state" } });
                _forceFull = true;
                return false;
            case MergeResult.Invalid bad:
                LogInvalid(msg.Version, bad.Error);
                var nack = new Nack { Version = msg.Version, Error = bad.Error };
                nack.Errors.AddRange(bad.Errors);
                outbox.TryWrite(new AgentMessage { Nack = nack });
                return true;
            case MergeResult.Accepted ok:
                // Persist before applying: a crash mid-apply restarts on this state, never on an older
                // one that would undo what was already started.
                store.Save(ok.Snapshot);
                LogDesired(msg.Version, msg.Full ? "full" : "delta", msg.Upserts.Count, msg.Removals.Count);
                var applied = apply.SubmitAsync(ok.Snapshot);
                _ = AckWhenAppliedAsync(applied, outbox, acks, ct);
                return true;
            default:
                throw new InvalidOperationException("unknown merge result");
        }
    }

    private async Task AckWhenAppliedAsync(Task<ApplyOutcome> applied, ChannelWriter<AgentMessage> outbox, AckTracker acks, CancellationToken ct)
    {
        ApplyOutcome outcome;
        try { outcome = await applied.WaitAsync(ct); }
        catch (OperationCanceledException) { return; }
        // Coalesced submissions share one outcome: ack each applied version once, in order.
        if (!acks.TryClaim(outcome.Version)) return;
        await TestHooks.ReachAsync(TestHooks.BeforeAck, ct);
        if (outcome.Errors.Count == 0)
        {
            outbox.TryWrite(new AgentMessage { Ack = new Ack { Version = outcome.Version } });
            LogAcked(outcome.Version);
        }
        else
        {
            var first = outcome.Errors[0];
            var nack = new Nack { Version = outcome.Version, Error = $"{outcome.Errors.Count} object(s) failed; first: {first.Ref?.Kind}/{first.Ref?.Id}: {first.Error}" };
            nack.Errors.AddRange(outcome.Errors);
            outbox.TryWrite(new AgentMessage { Nack = nack });
            LogNacked(outcome.Version, nack.Error);
        }
        await TestHooks.ReachAsync(TestHooks.AfterAck, ct);
    }

    private static async Task WriteLoopAsync(IClientStreamWriter<AgentMessage> stream, ChannelReader<AgentMessage> outbox, CancellationToken ct)
    {
        await foreach (var m in outbox.ReadAllAsync(ct)) await stream.WriteAsync(m, ct);
    }

    private async Task HeartbeatLoopAsync(ChannelWriter<AgentMessage> outbox, TimeSpan interval, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            await Task.Delay(interval, time, ct);
            outbox.TryWrite(new AgentMessage { Heartbeat = new Heartbeat { Time = Timestamp.FromDateTimeOffset(time.GetUtcNow()), AppliedVersion = apply.LastOutcome?.Version ?? 0 } });
        }
    }

    private async Task StatusLoopAsync(ChannelWriter<AgentMessage> outbox, SemaphoreSlim nudge, CancellationToken ct)
    {
        // Full after Hello, so the controller learns every VM's state (crashes while it was away
        // included); then only changes, checked on every apply pass and every interval.
        StatusReport? sent = null;
        while (!ct.IsCancellationRequested)
        {
            if (await status.CollectAsync(ct) is { } now && StatusDiff.Changes(sent, now) is { } report)
            {
                outbox.TryWrite(new AgentMessage { Status = report });
                sent = now;
            }
            await nudge.WaitAsync(options.StatusInterval, ct);
        }
    }

    /// <summary>Which versions this session has acked (each once, never an older one after a newer).</summary>
    private sealed class AckTracker
    {
        private ulong _last;
        private bool _any;

        public bool TryClaim(ulong version)
        {
            lock (this)
            {
                if (_any && version <= _last) return false;
                (_last, _any) = (version, true);
                return true;
            }
        }
    }
}
