using System.Net;
using System.Security.Cryptography.X509Certificates;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Infra.Controller.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;

namespace Infra.Controller.Hosting;

/// <summary>
/// The controller's gRPC server, as it ships: Kestrel with one HTTP/2 listener (h2c with prior
/// knowledge, or TLS with ALPN h2 when a certificate is given), Grpc.AspNetCore with the message
/// limits below and the authentication interceptors (client certificate, then bearer token), grpc.health.v1 (Grpc.HealthCheck: Check and Watch)
/// and server reflection v1/v1alpha (Grpc.AspNetCore.Server.Reflection, listing every mapped
/// service). The daemon calls <see cref="Add"/> and <see cref="Map"/>; so do the interop suite and
/// the API tests, so what they prove is this composition.
/// </summary>
public static class GrpcServer
{
    /// <summary>Largest request message accepted; a bigger one ends the call with RESOURCE_EXHAUSTED.
    /// Image uploads stream in chunks well below it. What the server sends is not limited (as in gRPC).</summary>
    public const int MaxMessageSize = 16 << 20;

    public static WebApplicationBuilder Add(WebApplicationBuilder builder, IPEndPoint listen, X509Certificate2? certificate, BearerTokenAuth auth)
    {
        builder.WebHost.ConfigureKestrel(k => k.Listen(listen, l =>
        {
            l.Protocols = HttpProtocols.Http2;
            // Client certificates are asked for, not required (operators and tenants use bearer tokens),
            // and any is let through the handshake: ClientCertificateAuth checks it against the cluster CA,
            // which lives in the store, and refuses the call with the reason.
            if (certificate is not null)
                l.UseHttps(o =>
                {
                    o.ServerCertificate = certificate;
                    o.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                    o.AllowAnyClientCertificate();
                });
        }));
        builder.Services.AddSingleton(auth);
        builder.Services.AddSingleton<ClientCertificateAuth>();
        builder.Services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = MaxMessageSize;
            o.Interceptors.Add<ClientCertificateAuth>();
            o.Interceptors.Add<BearerTokenAuth>();
        });
        builder.Services.AddGrpcReflection();
        builder.Services.AddSingleton<HealthServiceImpl>();
        return builder;
    }

    /// <summary>Sets every name in <paramref name="services"/> ("" is the server as a whole) to <paramref name="status"/> in grpc.health.v1.</summary>
    public static void SetHealth(IServiceProvider provider, IEnumerable<string> services, HealthCheckResponse.Types.ServingStatus status)
    {
        var health = provider.GetRequiredService<HealthServiceImpl>();
        foreach (var s in services) health.SetStatus(s, status);
    }

    /// <summary>Maps health and reflection; map the application's services before or after, reflection lists them all.</summary>
    public static WebApplication Map(WebApplication app)
    {
        app.MapGrpcService<HealthServiceImpl>();
        app.MapGrpcReflectionService();
        return app;
    }
}
