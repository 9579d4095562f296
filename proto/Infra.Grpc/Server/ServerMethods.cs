namespace Infra.Grpc;

public delegate Task<TResponse> UnaryServerMethod<TService, TRequest, TResponse>(TService service, TRequest request, ServerCallContext context);
public delegate Task<TResponse> ClientStreamingServerMethod<TService, TRequest, TResponse>(TService service, IAsyncStreamReader<TRequest> requestStream, ServerCallContext context);
public delegate Task ServerStreamingServerMethod<TService, TRequest, TResponse>(TService service, TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context);
public delegate Task DuplexStreamingServerMethod<TService, TRequest, TResponse>(TService service, IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context);

/// <summary>
/// A service implementation. Generated abstract base classes implement it: Descriptor names the
/// service for reflection, and BindService tells the binder which method serves which RPC, so an
/// application only derives from the base class and overrides methods.
/// </summary>
public interface IGrpcService
{
    static abstract Google.Protobuf.Reflection.ServiceDescriptor Descriptor { get; }
    static abstract void BindService(ServiceBinder binder);
}
