namespace Infra.Controller.Config;

/// <summary>"sqlite:/path/state.db" or "etcd:http://a:2379,http://b:2379".</summary>
public abstract record StoreSpec
{
    public sealed record Sqlite(string Path) : StoreSpec;
    public sealed record Etcd(IReadOnlyList<Uri> Endpoints) : StoreSpec;

    public static bool TryParse(string text, out StoreSpec? spec, out string error)
    {
        spec = null;
        error = "";
        if (text.StartsWith("sqlite:", StringComparison.Ordinal))
        {
            var path = text["sqlite:".Length..];
            if (path.Length == 0 || !System.IO.Path.IsPathFullyQualified(path))
            {
                error = $"'{text}' needs an absolute file path, for example sqlite:/var/lib/infra/state.db";
                return false;
            }
            if (Directory.Exists(path))
            {
                error = $"'{path}' is a directory; name a file inside it, for example sqlite:{System.IO.Path.Combine(path, "state.db")}";
                return false;
            }
            spec = new Sqlite(path);
            return true;
        }
        if (text.StartsWith("etcd:", StringComparison.Ordinal))
        {
            var endpoints = new List<Uri>();
            foreach (var part in text["etcd:".Length..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!Uri.TryCreate(part, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                {
                    error = $"etcd endpoint '{part}' is not an http(s) URL such as http://127.0.0.1:2379";
                    return false;
                }
                endpoints.Add(uri);
            }
            if (endpoints.Count == 0)
            {
                error = $"'{text}' names no etcd endpoints; use etcd:http://127.0.0.1:2379[,http://...]";
                return false;
            }
            spec = new Etcd(endpoints);
            return true;
        }
        error = $"'{text}' is neither sqlite:<path> nor etcd:<url>[,<url>...]";
        return false;
    }
}
