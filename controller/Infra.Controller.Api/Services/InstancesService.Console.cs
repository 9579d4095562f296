using System.Threading.Channels;
using Infra.Controller.Api.Commands;
using Infra.Controller.Api.Plumbing;
using Infra.Controller.Model.Store;
using Infra.Controller.Domain.Commands;
using Infra.Controller.Domain.Errors;
using Infra.Controller.Domain.Validation;
using Grpc.Core;
using Infra.V1;

namespace Infra.Controller.Api.Services;

/// <summary>
/// The serial console, served by the instance's host agent through whichever replica holds its
/// session. Output: one ConsoleCommand whose results are written to the caller as they come, paced by
/// credit (<see cref="ConsoleWindow"/> results of at most 16 KiB between agent and controller), so a
/// caller that stops reading holds back its own console only. Input: each batch is one
/// ConsoleInputCommand naming the console command's id as its session; what the caller sends while a
/// batch is on its way is coalesced into the next (at most 64 KiB), so typing through a relay costs one
/// command per round trip, not per key. The agent decides who writes; input from a read-only session
/// ends the call FAILED_PRECONDITION (CONSOLE_READ_ONLY). The call ends OK when the console closes (the
/// VM stopped) and UNAVAILABLE when the host's agent goes away (restart): open a new one.
/// </summary>
public sealed partial class InstancesService
{
    /// <summary>Console results in flight between the agent and this replica per session.</summary>
    public const uint ConsoleWindow = 8;

    AgentCalls? _consoleAgents;
    AgentCalls ConsoleAgents => _consoleAgents ??= new AgentCalls(commands, api.Options);

    public override async Task Console(IAsyncStreamReader<ConsoleRequest> requestStream, IServerStreamWriter<ConsoleResponse> responseStream, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        if (!await requestStream.MoveNext(ct)) throw ApiErrors.Invalid("open", "the stream ended before open; send open (instance_id, access) first");
        var open = ApiErrors.Valid(ConsoleValidation.Validate(requestStream.Current));
        var host = await ConsoleHostAsync(open.InstanceId, TenantScope.Of(context), ct);
        var session = AgentCalls.NewId("con");
        var command = new Command
        {
            Id = session,
            Console = new ConsoleCommand { InstanceId = open.InstanceId, Access = Wire(open.Access), TailBytes = (uint)open.TailBytes, Window = ConsoleWindow },
        };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var input = ForwardInputAsync(requestStream, host, open.InstanceId, session, context, stop);
        Exception? failure = null;
        try
        {
            await foreach (var r in ConsoleAgents.StreamAsync(host, command, context, stop.Token))
            {
                if (r.Error.Length > 0) throw ApiErrors.Of(AgentFailure.Console(open.InstanceId, host, r.Error));
                if (r.Console is not { } output) continue;
                await responseStream.WriteAsync(output, ct);
                if (output.Closed.Length > 0) break;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested && !ct.IsCancellationRequested) { /* the input side ended the session: its error follows */ }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
        {
            failure = new RpcException(new Status(StatusCode.Unavailable, $"console of instance {open.InstanceId} closed: {e.Status.Detail}; open it again once the agent is back"));
        }
        catch (Exception e) { failure = e; }
        finally { await stop.CancelAsync(); }
        // The output side's failure is the one to report; the input side only ever stops because of it then.
        try { await input; } catch (Exception) when (failure is not null) { }
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
    }

    public override async Task<GetConsoleLogResponse> GetConsoleLog(GetConsoleLogRequest request, ServerCallContext context)
    {
        var cmd = ApiErrors.Valid(ConsoleValidation.Validate(request));
        var host = await ConsoleHostAsync(cmd.InstanceId, TenantScope.Of(context), context.CancellationToken);
        var r = await ConsoleAgents.RunOnceAsync(host, new Command
        {
            Id = AgentCalls.NewId("log"), ConsoleLog = new ConsoleLogCommand { InstanceId = cmd.InstanceId, TailBytes = (uint)cmd.TailBytes },
        }, context);
        if (r.Error.Length > 0) throw ApiErrors.Of(AgentFailure.Console(cmd.InstanceId, host, r.Error));
        return r.ConsoleLog ?? new GetConsoleLogResponse();
    }

    async Task<string> ConsoleHostAsync(string instanceId, TenantScope scope, CancellationToken ct)
    {
        var i = (await Store.RequireAsync(Kinds.Instance, instanceId, scope, ct)).Value;
        if (i.HostId.Length == 0)
            throw ApiErrors.Precondition("INSTANCE_NOT_PLACED", instanceId, $"instance {instanceId} is not on a host yet, so it has no console; wait until it is placed");
        return i.HostId;
    }

    /// <summary>
    /// Reads the caller's input into a queue and sends it in batches, one input command at a time (in
    /// order). Ends quietly when the caller half-closes; a failure cancels <paramref name="stop"/>,
    /// which ends the output side, and is rethrown to the caller.
    /// </summary>
    async Task ForwardInputAsync(IAsyncStreamReader<ConsoleRequest> requests, string host, string instanceId, string session,
        ServerCallContext context, CancellationTokenSource stop)
    {
        var queue = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(64) { SingleReader = true, SingleWriter = true });
        var reader = Task.Run(async () =>
        {
            try
            {
                while (await requests.MoveNext(stop.Token))
                {
                    if (ConsoleValidation.InputProblem(requests.Current) is { } problem) throw ApiErrors.Invalid("input", problem);
                    await queue.Writer.WriteAsync(requests.Current.Input.ToByteArray(), stop.Token);
                }
                queue.Writer.TryComplete();
            }
            catch (Exception e) { queue.Writer.TryComplete(e); }
        });
        try
        {
            var n = 0;
            while (await queue.Reader.WaitToReadAsync(stop.Token))
            {
                var batch = new MemoryStream();
                while (batch.Length < ConsoleValidation.MaxInputBytes && queue.Reader.TryPeek(out var next)
                       && batch.Length + next.Length <= ConsoleValidation.MaxInputBytes && queue.Reader.TryRead(out _))
                    batch.Write(next);
                var r = await ConsoleAgents.RunOnceAsync(host, new Command
                {
                    Id = $"{session}-in{++n}",
                    ConsoleInput = new ConsoleInputCommand { InstanceId = instanceId, SessionId = session, Data = Google.Protobuf.ByteString.CopyFrom(batch.GetBuffer(), 0, (int)batch.Length) },
                }, context);
                if (r.Error.Length > 0) throw ApiErrors.Of(AgentFailure.Console(instanceId, host, r.Error));
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { /* the session ended */ }
        catch
        {
            await stop.CancelAsync();
            throw;
        }
        finally
        {
            try { await reader; } catch (Exception) { /* reported through the queue */ }
        }
    }

    static ConsoleAccess Wire(ConsoleAccessMode m) => m switch
    {
        ConsoleAccessMode.ReadOnly => ConsoleAccess.ReadOnly,
        ConsoleAccessMode.Takeover => ConsoleAccess.Takeover,
        _ => ConsoleAccess.Write,
    };
}
