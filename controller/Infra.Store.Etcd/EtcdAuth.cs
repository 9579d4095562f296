using Grpc.Core;

namespace Infra.Store.Etcd;

/// <summary>
/// etcd user/password auth as call credentials: the first call authenticates (Auth.Authenticate on
/// the member in use) and every call, unary or stream, carries the token in the "token" header. When
/// etcd answers that the token is invalid (expired: simple tokens live --auth-token-ttl after their
/// last use; or the member restarted), <see cref="Invalidate"/> drops it and the next call gets a new one.
/// </summary>
sealed class EtcdAuth(string user, string password)
{
    readonly SemaphoreSlim _gate = new(1, 1);
    string? _token;

    /// <summary>Set by <see cref="EtcdEndpoints"/> once its channels exist: Authenticate goes to the member in use.</summary>
    internal EtcdEndpoints? Endpoints { get; set; }

    public async Task AddTokenAsync(AuthInterceptorContext context, Metadata metadata)
    {
        if (context.MethodName == "Authenticate") return;
        metadata.Add("token", await TokenAsync(context.CancellationToken).ConfigureAwait(false));
    }

    async Task<string> TokenAsync(CancellationToken ct)
    {
        if (Volatile.Read(ref _token) is { } token) return token;
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_token is { } again) return again;
            var (channel, _) = Endpoints!.Current;
            var r = await new Rpc.Auth.AuthClient(channel).AuthenticateAsync(new Rpc.AuthenticateRequest { Name = user, Password = password },
                deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: ct).ConfigureAwait(false);
            return _token = r.Token;
        }
        finally { _gate.Release(); }
    }

    public void Invalidate() => Volatile.Write(ref _token, null);

    /// <summary>etcd's answer to a call with an expired or unknown token.</summary>
    public static bool IsInvalidToken(RpcException e) =>
        e.StatusCode == StatusCode.Unauthenticated && e.Status.Detail.Contains("invalid auth token", StringComparison.Ordinal);
}
