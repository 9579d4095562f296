using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Infra.Controller.Api.Credentials;
using Infra.Controller.Api.Plumbing;
using Infra.Controller.Domain.Auth;
using Microsoft.Extensions.DependencyInjection;

namespace Infra.Controller.Auth;

/// <summary>
/// The one place a call's credentials are checked: a Grpc.AspNetCore server interceptor in front of
/// every gRPC method. `authorization: Bearer &lt;token&gt;` must name one of the configured tokens
/// (compared in constant time); otherwise the call ends with UNAUTHENTICATED before any service code
/// runs. The health service stays open so load balancers and systemd probes need no secret.
/// A call that passes carries its <see cref="Principal"/> (<see cref="CallPrincipal"/>): a configured
/// (bootstrap) token is <c>admin</c>; so is every call of a loopback controller started with
/// --insecure-allow-no-auth, which is for development only. A token "infra_&lt;id&gt;_&lt;secret&gt;" is an issued
/// credential (Credentials API): <see cref="CredentialVerifier"/> checks it and names its admin or tenant principal.
/// A call whose client certificate
/// <see cref="ClientCertificateAuth"/> (the interceptor before this one) accepted is already a host.
/// </summary>
public sealed class BearerTokenAuth(IReadOnlySet<string> tokens, bool allowNoAuth) : Interceptor
{
    const string HealthPrefix = "/grpc.health.v1.Health/";
    const string Scheme = "Bearer ";
    const string EnrollMethod = "/infra.v1.Enrollment/Enroll";
    readonly byte[][] _tokens = tokens.Select(Encoding.UTF8.GetBytes).ToArray();

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        await CheckAsync(context);
        return await continuation(request, context);
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await CheckAsync(context);
        return await continuation(requestStream, context);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await CheckAsync(context);
        await continuation(request, responseStream, context);
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await CheckAsync(context);
        await continuation(requestStream, responseStream, context);
    }

    async Task CheckAsync(ServerCallContext context)
    {
        // A host's client certificate already named the principal (ClientCertificateAuth runs first);
        // Enroll is authenticated by the join token in its request, and has no principal.
        if (CallPrincipal.Find(context) is not null || context.Method == EnrollMethod) return;
        var authorization = context.RequestHeaders.GetValue("authorization") ?? "";
        if (Presented(authorization) is { } token && CredentialToken.IsCredential(token) && !context.Method.StartsWith(HealthPrefix, StringComparison.Ordinal)
            && !(allowNoAuth && _tokens.Length == 0))
        {
            // Issued credentials (infra_<id>_<secret>): the API's verifier, resolved per call so that this
            // interceptor is built before the store is open and a server without the API refuses them clearly.
            var verifier = context.GetHttpContext().RequestServices.GetService<CredentialVerifier>()
                ?? throw new RpcException(new Status(StatusCode.Unauthenticated, "this server does not accept issued credentials; use a bootstrap token"));
            var (principal, message) = await verifier.VerifyAsync(token, context.CancellationToken);
            if (principal is null) throw new RpcException(new Status(StatusCode.Unauthenticated, message));
            CallPrincipal.Set(context, principal);
            return;
        }
        if (!Allowed(context.Method, authorization, out var why))
            throw new RpcException(new Status(StatusCode.Unauthenticated, why));
        CallPrincipal.Set(context, Principal.Admin(_tokens.Length == 0 ? "insecure-no-auth" : "bootstrap"));
    }

    static string? Presented(string authorization) =>
        authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) ? authorization[Scheme.Length..].Trim() : null;

    /// <param name="method">The call's path, "/package.Service/Method".</param>
    public bool Allowed(string method, string authorization, out string why)
    {
        why = "";
        if (method.StartsWith(HealthPrefix, StringComparison.Ordinal)) return true;
        if (allowNoAuth && _tokens.Length == 0) return true;
        if (!authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            why = authorization.Length == 0
                ? "missing credentials: send 'authorization: Bearer <token>' (infractl --token or INFRA_TOKEN)"
                : "the authorization header is not 'Bearer <token>'";
            return false;
        }
        var presented = Encoding.UTF8.GetBytes(authorization[Scheme.Length..].Trim());
        var ok = false;
        foreach (var t in _tokens) ok |= t.Length == presented.Length && CryptographicOperations.FixedTimeEquals(t, presented);
        if (!ok) why = "the bearer token is not valid for this controller; check the token file";
        return ok;
    }
}
