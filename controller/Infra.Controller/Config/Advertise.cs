using System.Net;

namespace Infra.Controller.Config;

/// <summary>
/// The URL other replicas use to relay commands to this one (CommandRelay), published with each agent
/// session it holds. Default: the bound listener's URL, which is right unless the listener is a
/// wildcard (0.0.0.0, [::]); then a replica sharing an etcd store must be told its address.
/// </summary>
public static class Advertise
{
    public static string? Check(string? url, IPEndPoint? listen, bool tls, string store)
    {
        if (url is null)
        {
            if (listen is not null && IsWildcard(listen.Address) && store.StartsWith("etcd:", StringComparison.Ordinal))
                return $"advertise_url: listen is the wildcard {listen} and the store is shared (etcd), so other replicas cannot derive this one's address; set advertise_url (or --advertise-url) to the URL they reach it at, e.g. {(tls ? "https" : "http")}://10.0.0.5:{listen.Port}";
            return null;
        }
        if (!Uri.TryCreate(url, UriKind.Absolute, out var u) || (u.Scheme != Uri.UriSchemeHttp && u.Scheme != Uri.UriSchemeHttps)
            || u.Host.Length == 0 || u.AbsolutePath != "/" || u.Query.Length > 0)
            return $"advertise_url: '{url}' is not http://host:port or https://host:port (no path)";
        if (u.Scheme == Uri.UriSchemeHttps != tls)
            return $"advertise_url: '{url}' uses {u.Scheme} but the listener {(tls ? "uses TLS; use https://" : "has no TLS; use http://")}";
        if (u.Host is "0.0.0.0" or "[::]" or "::")
            return $"advertise_url: '{url}' is a wildcard address; give one other replicas can connect to";
        return null;
    }

    /// <summary>The effective URL once the listener is bound (<paramref name="boundUrl"/> knows the real port).</summary>
    public static string Effective(string? configured, string boundUrl) => (configured ?? boundUrl).TrimEnd('/');

    static bool IsWildcard(IPAddress a) => a.Equals(IPAddress.Any) || a.Equals(IPAddress.IPv6Any);
}
