using Google.Protobuf;
using Infra.Grpc.Server;

namespace Infra.Grpc;

/// <summary>Collects the RPC handlers of one service class. The service instance is obtained per call
/// from the request's IServiceProvider (or built by the activator when it is not registered).</summary>
public sealed class ServiceBinder
{
    readonly Func<IServiceProvider, object> _activator;
    readonly GrpcServerOptions _options;
    internal readonly List<IServerMethodHandler> Handlers = new();

    internal ServiceBinder(Func<IServiceProvider, object> activator, GrpcServerOptions options)
    {
        _activator = activator;
        _options = options;
    }

    public void AddUnary<TService, TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TService, TRequest, TResponse> handler)
        where TService : class where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>
        => Handlers.Add(new ServerMethodHandler<TRequest, TResponse>(method, _options, async (sp, call) =>
        {
            var request = await call.ReadSingleAsync(method.RequestParser).ConfigureAwait(false);
            var response = await handler((TService)_activator(sp), request, call.Context).ConfigureAwait(false);
            call.WriteMessage(response);
        }));

    public void AddClientStreaming<TService, TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TService, TRequest, TResponse> handler)
        where TService : class where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>
        => Handlers.Add(new ServerMethodHandler<TRequest, TResponse>(method, _options, async (sp, call) =>
        {
            var reader = new ServerRequestStream<TRequest>(call, method.RequestParser);
            var response = await handler((TService)_activator(sp), reader, call.Context).ConfigureAwait(false);
            call.WriteMessage(response);
        }));

    public void AddServerStreaming<TService, TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TService, TRequest, TResponse> handler)
        where TService : class where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>
        => Handlers.Add(new ServerMethodHandler<TRequest, TResponse>(method, _options, async (sp, call) =>
        {
            var request = await call.ReadSingleAsync(method.RequestParser).ConfigureAwait(false);
            await handler((TService)_activator(sp), request, new ServerResponseStream<TResponse>(call), call.Context).ConfigureAwait(false);
        }));

    public void AddDuplexStreaming<TService, TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TService, TRequest, TResponse> handler)
        where TService : class where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>
        => Handlers.Add(new ServerMethodHandler<TRequest, TResponse>(method, _options, async (sp, call) =>
        {
            var reader = new ServerRequestStream<TRequest>(call, method.RequestParser);
            await handler((TService)_activator(sp), reader, new ServerResponseStream<TResponse>(call), call.Context).ConfigureAwait(false);
        }));
}
