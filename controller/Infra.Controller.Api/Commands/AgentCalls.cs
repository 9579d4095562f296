using System.Runtime.CompilerServices;
using Infra.Controller.Api.Services;
using Infra.Controller.Southbound.Commands;
using Infra.Grpc;
using Infra.V1;

namespace Infra.Controller.Api.Commands;

/// <summary>
/// The API's side of agent commands: runs them through <see cref="IHostCommands"/> (any replica) with
/// the caller's credentials and deadline. Snapshot-like commands are bounded by
/// <see cref="ApiOptions.EffectiveSnapshotTimeout"/> as well; exports only by the caller.
/// </summary>
public sealed class AgentCalls(IHostCommands? commands, ApiOptions options)
{
    /// <summary>The one final result of a command that answers once (snapshot, delete).</summary>
    public async Task<CommandResult> RunOnceAsync(string hostId, Command command, ServerCallContext context)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        bound.CancelAfter(options.EffectiveSnapshotTimeout);
        try
        {
            CommandResult? last = null;
            await foreach (var r in Source(hostId, command, context, bound.Token).ConfigureAwait(false))
            {
                last = r;
                if (r.Done || r.Error.Length > 0) break;
            }
            return last ?? throw new RpcException(new Status(StatusCode.Unavailable, $"host {hostId} ended command {command.Id} without a result; retry"));
        }
        catch (OperationCanceledException) when (bound.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.DeadlineExceeded,
                $"host {hostId} did not finish command {command.Id} within {options.EffectiveSnapshotTimeout.TotalSeconds:0} s; it may still complete there, retry with the same request_id"));
        }
    }

    /// <summary>Every result in order until the final one; the caller's cancellation cancels the command on the agent.</summary>
    public IAsyncEnumerable<CommandResult> StreamAsync(string hostId, Command command, ServerCallContext context) =>
        Source(hostId, command, context, context.CancellationToken);

    /// <summary>As above, ended early by <paramref name="ct"/> too (a console whose input side failed).</summary>
    public IAsyncEnumerable<CommandResult> StreamAsync(string hostId, Command command, ServerCallContext context, CancellationToken ct) =>
        Source(hostId, command, context, ct);

    async IAsyncEnumerable<CommandResult> Source(string hostId, Command command, ServerCallContext context, [EnumeratorCancellation] CancellationToken ct)
    {
        if (commands is null)
            throw new RpcException(new Status(StatusCode.Unavailable, "this controller runs without the southbound side, so it cannot reach agents; call a full infra-controller"));
        var authorization = context.RequestHeaders.GetValue("authorization");
        await foreach (var r in commands.RunAsync(hostId, command, authorization, ct).ConfigureAwait(false))
        {
            yield return r;
            if (r.Done) yield break;
        }
    }

    /// <summary>A fresh command id with a readable prefix (exports and deletes; snapshots reuse their snapshot/group ids).</summary>
    public static string NewId(string prefix) => prefix + "-" + Guid.NewGuid().ToString("n")[..16];
}
