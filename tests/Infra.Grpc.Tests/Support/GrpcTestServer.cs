using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Infra.Grpc.Health;
using Infra.Grpc.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Infra.Grpc.Tests.Support;

/// <summary>Our server on Kestrel, on a free loopback port: h2c with prior knowledge, or TLS with ALPN h2.</summary>
public sealed class GrpcTestServer : IAsyncDisposable
{
    readonly WebApplication _app;

    GrpcTestServer(WebApplication app, int port, bool tls, X509Certificate2? cert)
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
    public HealthStatusManager Health => _app.Services.GetRequiredService<HealthStatusManager>();

    public static async Task<GrpcTestServer> StartAsync(Action<GrpcServerOptions>? configure = null, bool tls = false)
    {
        var cert = tls ? CreateCertificate() : null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            if (cert is not null) listen.UseHttps(cert);
        }));
        builder.Services.AddGrpc(configure);
        builder.Services.AddGrpcHealth();
        builder.Services.AddGrpcReflection();
        builder.Services.AddSingleton<CancellationProbe>();
        builder.Services.AddSingleton<TesterService>();
        var app = builder.Build();
        app.MapGrpcService<TesterService>();
        app.MapGrpcHealthService();
        app.MapGrpcReflectionService();
        await app.StartAsync();
        var port = new Uri(app.Urls.First()).Port;
        return new GrpcTestServer(app, port, tls, cert);
    }

    public GrpcChannel CreateChannel(GrpcChannelOptions? options = null)
    {
        options ??= new GrpcChannelOptions();
        if (Certificate is { } cert)
            options.SslOptions = new System.Net.Security.SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, c, _, _) => c is not null && c.GetCertHashString() == cert.GetCertHashString(),
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
