namespace Infra.Controller.Southbound.Commands;

/// <summary>
/// The URL other replicas use to reach this one (CommandRelay). The daemon knows it only once its
/// listener is bound (a configured port 0 picks one), so it is set after start; a session that starts
/// before that waits for it.
/// </summary>
public sealed class ReplicaAddress
{
    readonly TaskCompletionSource<string> _url = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ReplicaAddress() { }

    public ReplicaAddress(string url) => Set(url);

    public void Set(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var u) || (u.Scheme != Uri.UriSchemeHttp && u.Scheme != Uri.UriSchemeHttps))
            throw new ArgumentException($"advertised URL '{url}' must be http://host:port or https://host:port", nameof(url));
        _url.TrySetResult(url.TrimEnd('/'));
    }

    public Task<string> GetAsync(CancellationToken ct) => _url.Task.WaitAsync(ct);
}
