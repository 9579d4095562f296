using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using Infra.Ctl.Config;
using Infra.Ctl.Errors;

namespace Infra.Ctl.Transport;

/// <summary>The Grpc.Net.Client channel to the controller: h2c for http://, TLS (optionally trusting only --ca-file) for https://.</summary>
public static class CtlChannel
{
    /// <summary>Largest response infractl accepts (an export chunk, a long list page).</summary>
    public const int MaxReceiveMessageSize = 16 << 20;

    public static GrpcChannel Create(CtlConfig config)
    {
        var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, UseProxy = false };
        if (config.CaFile is { } caFile && config.Controller.StartsWith("https://", StringComparison.Ordinal))
            handler.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = TrustOnly(LoadCa(caFile)) };
        return GrpcChannel.ForAddress(config.Controller, new GrpcChannelOptions { HttpHandler = handler, MaxReceiveMessageSize = MaxReceiveMessageSize });
    }

    static X509Certificate2Collection LoadCa(string path)
    {
        try
        {
            var certs = new X509Certificate2Collection();
            certs.ImportFromPemFile(path);
            if (certs.Count == 0) throw new CtlException($"CA file {path} holds no PEM certificate", ExitCodes.Usage);
            return certs;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new CtlException($"cannot read CA file {path}: {e.Message}", ExitCodes.Usage);
        }
    }

    // Trust exactly the operator's CA (private clusters rarely chain to a public root), still checking the name.
    static RemoteCertificateValidationCallback TrustOnly(X509Certificate2Collection roots) => (_, cert, _, errors) =>
    {
        if (cert is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(new X509Certificate2(cert));
    };
}
