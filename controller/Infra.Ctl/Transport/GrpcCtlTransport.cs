using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Infra.Ctl.Config;
using Infra.Ctl.Errors;
using Infra.Grpc;

namespace Infra.Ctl.Transport;

/// <summary>ICtlTransport over our GrpcChannel: h2c for http://, TLS (optionally trusting only --ca-file) for https://.</summary>
public sealed class GrpcCtlTransport(GrpcChannel channel) : ICtlTransport
{
    public static GrpcCtlTransport Create(CtlConfig config)
    {
        var options = new GrpcChannelOptions { MaxReceiveMessageSize = 16 << 20 };
        if (config.CaFile is { } caFile && config.Controller.StartsWith("https://", StringComparison.Ordinal))
            options.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = TrustOnly(LoadCa(caFile)) };
        return new GrpcCtlTransport(GrpcChannel.ForAddress(config.Controller, options));
    }

    public Task<TResp> UnaryAsync<TReq, TResp>(Method<TReq, TResp> method, TReq request, CallOptions options)
        where TReq : class, IMessage<TReq> where TResp : class, IMessage<TResp>
        => channel.UnaryCall(method, request, options).ResponseAsync;

    public AsyncServerStreamingCall<TResp> ServerStreaming<TReq, TResp>(Method<TReq, TResp> method, TReq request, CallOptions options)
        where TReq : class, IMessage<TReq> where TResp : class, IMessage<TResp>
        => channel.ServerStreamingCall(method, request, options);

    public AsyncClientStreamingCall<TReq, TResp> ClientStreaming<TReq, TResp>(Method<TReq, TResp> method, CallOptions options)
        where TReq : class, IMessage<TReq> where TResp : class, IMessage<TResp>
        => channel.ClientStreamingCall(method, options);

    public AsyncDuplexStreamingCall<TReq, TResp> DuplexStreaming<TReq, TResp>(Method<TReq, TResp> method, CallOptions options)
        where TReq : class, IMessage<TReq> where TResp : class, IMessage<TResp>
        => channel.DuplexStreamingCall(method, options);

    public void Dispose() => channel.Dispose();

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
