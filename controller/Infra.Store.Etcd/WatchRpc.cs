using Infra.Grpc;
using Rpc = Infra.Store.Etcd.Rpc;

namespace Infra.Store.Etcd;

/// <summary>
/// etcdserverpb.Watch/Watch (bidi), described by hand because the source generator cannot yet emit
/// a service whose RPC has the service's own name (see the note in Protos/etcdserverpb/rpc.proto).
/// Same wire path and messages as a generated client would use.
/// </summary>
static class WatchRpc
{
    public static readonly Method<Rpc.WatchRequest, Rpc.WatchResponse> Method =
        new(MethodType.DuplexStreaming, "etcdserverpb.Watch", "Watch", Rpc.WatchRequest.Parser, Rpc.WatchResponse.Parser);

    public static AsyncDuplexStreamingCall<Rpc.WatchRequest, Rpc.WatchResponse> Open(GrpcChannel channel, CallOptions options) =>
        channel.DuplexStreamingCall(Method, options);
}
