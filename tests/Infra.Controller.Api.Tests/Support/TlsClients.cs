using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;

namespace Infra.Controller.Api.Tests.Support;

/// <summary>
/// Channels to a TLS controller as real clients make them: the server's certificate checked against
/// the test CA alone, and optionally a client certificate (a host's) and a bearer token (an operator's).
/// </summary>
public static class TlsClients
{
    public static GrpcChannel Channel(string url, string caFile, X509Certificate2? clientCertificate = null, string? bearer = null)
    {
        var ca = X509Certificate2.CreateFromPem(File.ReadAllText(caFile));
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, _) =>
        {
            if (cert is null) return false;
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(new X509Certificate2(cert));
        };
        if (clientCertificate is not null) handler.SslOptions.ClientCertificates = [clientCertificate];
        var options = new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true };
        if (bearer is not null)
            options.Credentials = ChannelCredentials.Create(new SslCredentials(),
                CallCredentials.FromInterceptor((_, m) => { m.Add("authorization", "Bearer " + bearer); return Task.CompletedTask; }));
        return GrpcChannel.ForAddress(url, options);
    }
}
