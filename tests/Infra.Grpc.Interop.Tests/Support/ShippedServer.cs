using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.HealthCheck;
using Infra.Controller.Auth;
using Infra.Controller.Hosting;
using Infra.Grpc.Interop.Tests.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Infra.Grpc.Interop.Tests.Support;

/// <summary>
/// The controller's gRPC server as it ships (<see cref="GrpcServer"/>: Kestrel, Grpc.AspNetCore with
/// the daemon's message limit and auth interceptor, health, reflection) on a free loopback port, h2c
/// with prior knowledge or TLS with ALPN h2, serving tester.proto. Auth runs in its development mode
/// (no tokens configured): grpcio scripts send no credentials; AuthTests cover the token check.
/// </summary>
public sealed class ShippedServer : IAsyncDisposable
{
    readonly WebApplication _app;

    ShippedServer(WebApplication app, int port, bool tls, X509Certificate2? cert)
    {
        _app = app;
        Port = port;
        Certificate = cert;
        Address = $"{(tls ? "https" : "http")}://127.0.0.1:{port}";
    }

    public int Port { get; }
    public string Address { get; }
    public X509Certificate2? Certificate { get; }
    public CancellationProbe Probe => _app.Services.GetRequiredService<CancellationProbe>();
    public HealthServiceImpl Health => _app.Services.GetRequiredService<HealthServiceImpl>();

    public static async Task<ShippedServer> StartAsync(bool tls = false)
    {
        var cert = tls ? CreateCertificate() : null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        GrpcServer.Add(builder, new IPEndPoint(IPAddress.Loopback, 0), cert, new BearerTokenAuth(new HashSet<string>(), allowNoAuth: true));
        builder.Services.AddSingleton<CancellationProbe>();
        builder.Services.AddSingleton<TesterService>();
        var app = builder.Build();
        app.MapGrpcService<TesterService>();
        GrpcServer.Map(app);
        await app.StartAsync();
        GrpcServer.SetHealth(app.Services, ["", Tester.Descriptor.FullName], ServingStatus.Serving);
        var port = new Uri(app.Urls.First()).Port;
        return new ShippedServer(app, port, tls, cert);
    }

    /// <summary>A Grpc.Net.Client channel to this server (trusting exactly its certificate over TLS).</summary>
    public GrpcChannel CreateChannel(GrpcChannelOptions? options = null)
    {
        options ??= new GrpcChannelOptions();
        if (Certificate is { } cert)
            options.HttpHandler = new SocketsHttpHandler
            {
                SslOptions = new System.Net.Security.SslClientAuthenticationOptions
                {
                    RemoteCertificateValidationCallback = (_, c, _, _) => c is not null && c.GetCertHashString() == cert.GetCertHashString(),
                },
            };
        return GrpcChannel.ForAddress(Address, options);
    }

    static X509Certificate2 CreateCertificate()
    {
        using var key = RSA.Create(2048);
        var req = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        req.CertificateExtensions.Add(san.Build());
        using var cert = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pfx), null);
    }

    public async ValueTask DisposeAsync()
    {
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5))) await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
        Certificate?.Dispose();
    }
}
