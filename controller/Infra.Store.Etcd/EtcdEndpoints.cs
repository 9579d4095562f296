using Grpc.Core;
using Grpc.Net.Client;

namespace Infra.Store.Etcd;

/// <summary>
/// One GrpcChannel per member URL over one shared HTTP/2 handler (one connection pool), and the
/// index of the member currently in use. A call that finds its member UNAVAILABLE moves the index
/// on and is retried there, so a dead member costs one failed attempt, not one per call.
/// </summary>
sealed class EtcdEndpoints : IDisposable
{
    readonly GrpcChannel[] _channels;
    readonly HttpMessageHandler _handler;
    int _current;

    public EtcdEndpoints(IReadOnlyList<string> urls, EtcdSecurity? security = null)
    {
        _handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            // Find a silently dead member within seconds instead of at the TCP timeout.
            KeepAlivePingDelay = TimeSpan.FromSeconds(5),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(5),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
            ConnectTimeout = TimeSpan.FromSeconds(3),
            UseCookies = false,
            UseProxy = false,
            SslOptions = security?.ClientTls() ?? new System.Net.Security.SslClientAuthenticationOptions(),
        };
        if (security is { Username: { } user, Password: { } password }) Auth = new EtcdAuth(user, password) { Endpoints = this };
        _channels = urls.Select(u => GrpcChannel.ForAddress(u, ChannelOptions(u))).ToArray();
    }

    /// <summary>The token source when etcd auth is configured, else null.</summary>
    public EtcdAuth? Auth { get; }

    GrpcChannelOptions ChannelOptions(string url)
    {
        var options = new GrpcChannelOptions { HttpHandler = _handler, DisposeHttpClient = false, MaxReceiveMessageSize = 64 << 20 };
        if (Auth is null) return options;
        var tls = url.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
        options.Credentials = ChannelCredentials.Create(tls ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure, CallCredentials.FromInterceptor(Auth.AddTokenAsync));
        // Validation allows a password over http:// only to loopback (EtcdSecurity.Validate).
        options.UnsafeUseInsecureChannelCallCredentials = !tls;
        return options;
    }

    public int Count => _channels.Length;

    /// <summary>The member in use and its index (pass the index back to <see cref="Failed"/>).</summary>
    public (GrpcChannel Channel, int Index) Current
    {
        get { var i = Volatile.Read(ref _current); return (_channels[i], i); }
    }

    /// <summary>Member <paramref name="index"/> was unreachable: move on unless another caller already did.</summary>
    public void Failed(int index) => Interlocked.CompareExchange(ref _current, (index + 1) % _channels.Length, index);

    public void Dispose()
    {
        foreach (var c in _channels) c.Dispose();
        _handler.Dispose();
    }
}
