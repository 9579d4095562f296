using Grpc.Core;
using Infra.Controller.Domain.Auth;

namespace Infra.Controller.Api.Plumbing;

/// <summary>
/// Where a call's principal lives between the authentication step (a server interceptor, which sets
/// it) and the services, authorization and audit (which read it): the call's UserState, which
/// Grpc.AspNetCore backs with the request's HttpContext.Items, so it is per call and never shared.
/// </summary>
public static class CallPrincipal
{
    static readonly object Key = typeof(CallPrincipal);

    public static void Set(ServerCallContext context, Principal principal) => context.UserState[Key] = principal;

    /// <summary>The principal, or null on a call that skipped authentication (health and reflection).</summary>
    public static Principal? Find(ServerCallContext context) =>
        context.UserState.TryGetValue(Key, out var p) ? p as Principal : null;

    /// <summary>The principal; a call that reaches a service without one is a wiring error, answered UNAUTHENTICATED.</summary>
    public static Principal Of(ServerCallContext context) =>
        Find(context) ?? throw new RpcException(new Status(StatusCode.Unauthenticated, "the call carries no principal: the authentication interceptor is not installed"));
}
