using Google.Protobuf;
using Infra.Grpc;

namespace Infra.Ctl.Transport;

/// <summary>
/// The one seam between commands and the wire: every command calls the controller through the generated
/// method descriptors (Tenants.CreateTenantMethod, ...) on this interface. The real implementation is a
/// GrpcChannel; tests point it at an in-process server.
/// </summary>
public interface ICtlTransport : IDisposable
{
    Task<TResp> UnaryAsync<TReq, TResp>(Method<TReq, TResp> method, TReq request, CallOptions options)
        where TReq : class, IMessage<TReq> where TResp : class, IMessage<TResp>;

    AsyncServerStreamingCall<TResp> ServerStreaming<TReq, TResp>(Method<TReq, TResp> method, TReq request, CallOptions options)
        where TReq : class, IMessage<TReq> where TResp : class, IMessage<TResp>;

    AsyncClientStreamingCall<TReq, TResp> ClientStreaming<TReq, TResp>(Method<TReq, TResp> method, CallOptions options)
        where TReq : class, IMessage<TReq> where TResp : class, IMessage<TResp>;

    AsyncDuplexStreamingCall<TReq, TResp> DuplexStreaming<TReq, TResp>(Method<TReq, TResp> method, CallOptions options)
        where TReq : class, IMessage<TReq> where TResp : class, IMessage<TResp>;
}
