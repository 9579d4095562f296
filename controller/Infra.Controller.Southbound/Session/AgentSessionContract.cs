using Infra.Grpc;
using Infra.V1;

namespace Infra.Controller.Southbound.Session;

// Written by hand rather than by Infra.Grpc.Generator: Infra.Contracts cannot opt in to the generator
// yet (its `service Watch { rpc Watch }` makes the generated WatchBase fail to compile, see README).
// This is exactly what the generator would emit for `service AgentSession`; replace it with the
// generated AgentSession class once Infra.Contracts opts in.

/// <summary>gRPC service infra.v1.AgentSession: descriptors, server base and client.</summary>
public static class AgentSessionRpc
{
    public const string ServiceName = "infra.v1.AgentSession";

    public static Google.Protobuf.Reflection.ServiceDescriptor Descriptor =>
        SouthboundReflection.Descriptor.Services.Single(s => s.Name == "AgentSession");

    public static readonly Method<AgentMessage, ControllerMessage> ConnectMethod =
        new(MethodType.DuplexStreaming, ServiceName, "Connect", AgentMessage.Parser, ControllerMessage.Parser);

    /// <summary>Derive and override Connect; unoverridden it answers UNIMPLEMENTED.</summary>
    public abstract class AgentSessionBase : IGrpcService
    {
        static Google.Protobuf.Reflection.ServiceDescriptor IGrpcService.Descriptor => AgentSessionRpc.Descriptor;

        public virtual Task Connect(IAsyncStreamReader<AgentMessage> requestStream, IServerStreamWriter<ControllerMessage> responseStream, ServerCallContext context) =>
            throw new RpcException(new Status(StatusCode.Unimplemented, "Method Connect is not implemented."));

        public static void BindService(ServiceBinder binder) =>
            binder.AddDuplexStreaming<AgentSessionBase, AgentMessage, ControllerMessage>(ConnectMethod, static (s, r, w, c) => s.Connect(r, w, c));
    }

    /// <summary>Typed client, as an agent uses it.</summary>
    public sealed class AgentSessionClient(GrpcChannel channel)
    {
        public GrpcChannel Channel { get; } = channel;

        public AsyncDuplexStreamingCall<AgentMessage, ControllerMessage> Connect(CallOptions options = default) =>
            Channel.DuplexStreamingCall(ConnectMethod, options);
    }
}
