using Grpc.Core;

namespace Infra.Controller.Southbound.Commands;

/// <summary>The host's session ended (agent gone, replaced by a newer session, or its replica stopped)
/// while a command ran; the outcome is unknown, and commands are idempotent by id, so retrying is safe.</summary>
public sealed class HostDisconnectedException(string hostId)
    : RpcException(new Status(StatusCode.Unavailable, $"host {hostId} disconnected during the command; retry"))
{
    public string HostId { get; } = hostId;
}

/// <summary>Statuses for commands that cannot start or broke the contract, each saying what to do.</summary>
public static class CommandErrors
{
    public static RpcException NotConnected(string hostId) =>
        new(new Status(StatusCode.Unavailable, $"host {hostId}: the agent is not connected to any controller replica; check that infra-agent runs on {hostId} and reaches the controller, then retry"));

    public static RpcException NotConnectedHere(string hostId, string replicaId) =>
        new(new Status(StatusCode.Unavailable, $"host {hostId} is not connected to replica {replicaId} (its session moved or ended); retry"));

    public static RpcException OwnerUnreachable(string hostId, string replicaId, string url, string why) =>
        new(new Status(StatusCode.Unavailable, $"host {hostId} is connected to replica {replicaId} at {url}, which does not answer ({why}); retry"));

    public static RpcException Duplicate(string hostId, string commandId) =>
        new(new Status(StatusCode.Aborted, $"command {commandId} is already running on host {hostId}; wait for it or retry later"));

    public static RpcException Oversent(string hostId, string commandId, uint window) =>
        new(new Status(StatusCode.Internal, $"host {hostId} sent more export data for command {commandId} than its window of {window} chunks allowed; the agent breaks the credit contract, upgrade it"));
}
