using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Infra.Controller.Auth;

/// <summary>
/// Bearer-token check in front of every gRPC call: `authorization: Bearer &lt;token&gt;` must name one
/// of the configured tokens (compared in constant time). A failure is answered as a trailers-only
/// gRPC response with UNAUTHENTICATED, before any service code runs. The health service stays open
/// so load balancers and systemd probes need no secret.
/// </summary>
public sealed class BearerTokenAuth(IReadOnlySet<string> tokens, bool allowNoAuth)
{
    const string HealthPrefix = "/grpc.health.v1.Health/";
    readonly byte[][] _tokens = tokens.Select(Encoding.UTF8.GetBytes).ToArray();

    public async Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        if (Allowed(http.Request.Path.Value ?? "", http.Request.Headers.Authorization.ToString(), out var why))
        {
            await next(http);
            return;
        }
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "application/grpc";
        http.Response.Headers["grpc-status"] = "16";
        http.Response.Headers["grpc-message"] = Uri.EscapeDataString(why);
    }

    public bool Allowed(string path, string authorization, out string why)
    {
        why = "";
        if (path.StartsWith(HealthPrefix, StringComparison.Ordinal)) return true;
        if (allowNoAuth && _tokens.Length == 0) return true;
        const string scheme = "Bearer ";
        if (!authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            why = authorization.Length == 0
                ? "missing credentials: send 'authorization: Bearer <token>' (infractl --token or INFRA_TOKEN)"
                : "the authorization header is not 'Bearer <token>'";
            return false;
        }
        var presented = Encoding.UTF8.GetBytes(authorization[scheme.Length..].Trim());
        var ok = false;
        foreach (var t in _tokens) ok |= t.Length == presented.Length && CryptographicOperations.FixedTimeEquals(t, presented);
        if (!ok) why = "the bearer token is not valid for this controller; check the token file";
        return ok;
    }
}
