using Grpc.Core;
using Grpc.Core.Interceptors;
using Infra.Controller.Api.Plumbing;
using Infra.Controller.Domain.Auth;

namespace Infra.Controller.Api.Auth;

/// <summary>
/// Applies each method's rule (<see cref="MethodRules"/>) to the call's principal before any service
/// code runs: a refusal ends the call PERMISSION_DENIED (UNAUTHENTICATED without a principal) naming
/// the method and the principal. It must run after the authentication interceptor, which sets the
/// principal: <c>AddInfraApi</c> registers it, and the daemon calls that after <c>GrpcServer.Add</c>.
/// In the wrong order every call finds no principal and is refused, so a wiring slip fails closed.
/// </summary>
public sealed class MethodAuthorization : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(requestStream, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, responseStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(requestStream, responseStream, context);
    }

    static void Check(ServerCallContext context)
    {
        if (Access.Decide(CallPrincipal.Find(context), MethodRules.Find(context.Method), context.Method) is { } refused)
            throw ApiErrors.Of(refused);
    }
}
