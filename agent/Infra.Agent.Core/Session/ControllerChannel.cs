using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Balancer;
using Grpc.Net.Client.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Infra.Agent.Core.Session;

/// <summary>
/// The agent's Grpc.Net.Client channel to its controller. One URL: a plain channel to it. Several
/// (the replicas of an HA controller): one channel over all of them with the library's client-side
/// load balancing, so no external balancer is needed. A static resolver lists the replicas and
/// round_robin keeps a subchannel to each, so agents spread over the replicas (each channel starts
/// at a random one) and a new session goes to a replica that is up; calls that fail UNAVAILABLE before
/// the server answered (a replica that just died, not yet marked down) are retried on another.
/// The channel lives as long as the session loop, so subchannel state survives a redial.
/// </summary>
public static class ControllerChannel
{
    /// <summary>Largest message the agent accepts (a full desired state of a big host).</summary>
    public const int MaxReceiveMessageSize = 64 << 20;

    public static GrpcChannel Create(SessionOptions options)
    {
        var urls = options.Urls.Select(u => new Uri(u)).ToList();
        var tls = urls[0].Scheme == Uri.UriSchemeHttps;
        var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, UseProxy = false };
        if (options.CaFile is { } ca && tls)
        {
            // A private cluster CA publishes no CRL: an online revocation check of its leaves could only fail.
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(ca);
            policy.CustomTrustStore.AddRange(roots);
            handler.SslOptions = new SslClientAuthenticationOptions { CertificateChainPolicy = policy };
        }
        if (options.Credential is { } credential && tls)
        {
            // Asked on every handshake, so a renewed certificate is presented from the next connection on;
            // connections are retired daily so none outlives the certificate it was opened with.
            handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => credential.Current!;
            handler.PooledConnectionLifetime = TimeSpan.FromDays(1);
        }
        var channelOptions = new GrpcChannelOptions
        {
            HttpHandler = handler,
            MaxReceiveMessageSize = MaxReceiveMessageSize,
            // The library redials a lost controller on its own backoff (default up to 120 s, during which
            // calls fail at once); keep it within the session loop's, so a controller that is back is used.
            InitialReconnectBackoff = options.MinBackoff,
            MaxReconnectBackoff = options.MaxBackoff,
        };
        if (urls.Count == 1) return GrpcChannel.ForAddress(urls[0], channelOptions);

        var addresses = urls.Select(u => new BalancerAddress(u.Host, u.Port)).ToArray();
        channelOptions.Credentials = tls ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure;
        channelOptions.ServiceProvider = new ServiceCollection()
            .AddSingleton<ResolverFactory>(new StaticResolverFactory(_ => addresses))
            .BuildServiceProvider();
        channelOptions.ServiceConfig = new ServiceConfig
        {
            LoadBalancingConfigs = { new RoundRobinConfig() },
            MethodConfigs =
            {
                new MethodConfig
                {
                    Names = { MethodName.Default },
                    RetryPolicy = new RetryPolicy
                    {
                        MaxAttempts = Math.Max(2, urls.Count),
                        InitialBackoff = TimeSpan.FromMilliseconds(200),
                        MaxBackoff = TimeSpan.FromSeconds(2),
                        BackoffMultiplier = 2,
                        RetryableStatusCodes = { StatusCode.Unavailable },
                    },
                },
            },
        };
        return GrpcChannel.ForAddress("static:///infra-controller", channelOptions);
    }
}
