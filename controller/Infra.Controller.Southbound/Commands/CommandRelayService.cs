using Grpc.Core;
using Infra.V1;

namespace Infra.Controller.Southbound.Commands;

/// <summary>
/// infra.v1.CommandRelay: another replica forwards a command for a host whose session this replica
/// holds. The daemon's auth middleware checks the caller's bearer token (passed through from the
/// original API call) before this runs. Results stream back as the agent sends them; the caller
/// going away cancels the command on the agent.
/// </summary>
public sealed class CommandRelayService(CommandRouter router) : CommandRelay.CommandRelayBase
{
    public override async Task Run(RelayCommandRequest request, IServerStreamWriter<CommandResult> responseStream, ServerCallContext context)
    {
        if (request.HostId.Length == 0 || request.Command is null || request.Command.Id.Length == 0 || request.Command.OpCase == Command.OpOneofCase.None)
            throw new RpcException(new Status(StatusCode.InvalidArgument, "host_id, command.id and a command operation are required"));
        var ct = context.CancellationToken;
        await foreach (var r in router.RunLocalAsync(request.HostId, request.Command, ct, relayed: true).ConfigureAwait(false))
            await responseStream.WriteAsync(r, ct).ConfigureAwait(false);
    }
}
