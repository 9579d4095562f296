using Grpc.Core;
using Grpc.Core.Interceptors;
using Infra.Controller.Api.Enrollment;
using Infra.Controller.Api.Plumbing;
using Infra.Controller.Domain.Auth;
using Infra.Controller.Domain.Enrollment;
using Microsoft.Extensions.DependencyInjection;

namespace Infra.Controller.Auth;

/// <summary>
/// Hosts authenticate with their client certificate: the TLS listener asks for one (and lets calls
/// without one through: operators and tenants use bearer tokens), and this interceptor, which runs
/// before <see cref="BearerTokenAuth"/>, decides what it proves. A certificate chained to the cluster
/// CA, valid now, for clientAuth, with an <c>infra://host/&lt;id&gt;</c> URI SAN, of a host that is not
/// revoked, makes the call's principal <c>host:&lt;id&gt;</c> (credential: the serial). Any other
/// certificate ends the call UNAUTHENTICATED saying why, so a certificate from another CA is never
/// silently ignored. Without enrollment services (a server without the API) certificates are ignored.
/// </summary>
public sealed class ClientCertificateAuth(IServiceProvider services) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        await CheckAsync(context).ConfigureAwait(false);
        return await continuation(request, context).ConfigureAwait(false);
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await CheckAsync(context).ConfigureAwait(false);
        return await continuation(requestStream, context).ConfigureAwait(false);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await CheckAsync(context).ConfigureAwait(false);
        await continuation(request, responseStream, context).ConfigureAwait(false);
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await CheckAsync(context).ConfigureAwait(false);
        await continuation(requestStream, responseStream, context).ConfigureAwait(false);
    }

    async Task CheckAsync(ServerCallContext context)
    {
        var cert = context.GetHttpContext().Connection.ClientCertificate;
        if (cert is null || services.GetService<ClusterCaStore>() is not { } ca) return;
        var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        var trusted = await ca.PublicAsync(context.CancellationToken).ConfigureAwait(false);
        if (ClusterTrust.HostOf(cert, trusted, time.GetUtcNow(), out var why) is not { } hostId)
            throw new RpcException(new Status(StatusCode.Unauthenticated, why));
        if (services.GetService<HostRevocations>() is { } revoked && await revoked.IsRevokedAsync(hostId, context.CancellationToken).ConfigureAwait(false))
            throw new RpcException(new Status(StatusCode.Unauthenticated,
                $"host {hostId} was revoked; its certificate is no longer accepted (re-enroll it with a join token bound to it)"));
        CallPrincipal.Set(context, Principal.Host(hostId, "cert:" + cert.SerialNumber.ToLowerInvariant()));
    }
}
