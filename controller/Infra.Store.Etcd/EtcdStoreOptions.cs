namespace Infra.Store.Etcd;

/// <summary>
/// Where etcd is and how patient to be with it. Endpoints are client URLs of one cluster's members
/// (http:// = h2c, https:// = TLS); calls go to one member and move to the next on UNAVAILABLE.
/// </summary>
/// <param name="CallTimeout">Deadline of each unary call (sent as grpc-timeout).</param>
/// <param name="ReconnectDelay">Pause between attempts to reopen a broken watch or keepalive stream (doubles, capped at 8x).</param>
/// <param name="Security">CA, client certificate and user/password auth (<see cref="EtcdSecurity"/>); none by default.</param>
public sealed record EtcdStoreOptions(
    IReadOnlyList<string> Endpoints,
    TimeSpan? CallTimeout = null,
    TimeSpan? ReconnectDelay = null,
    EtcdSecurity? Security = null)
{
    public TimeSpan EffectiveCallTimeout => CallTimeout ?? TimeSpan.FromSeconds(10);
    public TimeSpan EffectiveReconnectDelay => ReconnectDelay ?? TimeSpan.FromMilliseconds(100);

    public static EtcdStoreOptions For(params string[] endpoints) => new(endpoints);

    /// <summary>Every problem at once, empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Endpoints is null || Endpoints.Count == 0) errors.Add("Endpoints: give at least one etcd client URL, e.g. http://127.0.0.1:2379");
        else
            foreach (var e in Endpoints)
                if (!Uri.TryCreate(e, UriKind.Absolute, out var u) || (u.Scheme != Uri.UriSchemeHttp && u.Scheme != Uri.UriSchemeHttps))
                    errors.Add($"Endpoints: '{e}' is not an http:// or https:// URL");
        if (CallTimeout is { } t && t <= TimeSpan.Zero) errors.Add("CallTimeout must be positive");
        if (ReconnectDelay is { } d && d <= TimeSpan.Zero) errors.Add("ReconnectDelay must be positive");
        if (Security is not null && Endpoints is { Count: > 0 }) errors.AddRange(Security.Validate(Endpoints, n => "Security." + n));
        return errors;
    }
}
