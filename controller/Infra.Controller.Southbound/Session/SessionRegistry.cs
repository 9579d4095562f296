using System.Collections.Concurrent;

namespace Infra.Controller.Southbound.Session;

/// <summary>
/// At most one live session per host on this replica: an agent that reconnects (after a network
/// blip the old stream may linger until TCP notices) replaces its old session, which is cancelled.
/// </summary>
public sealed class SessionRegistry
{
    readonly ConcurrentDictionary<string, Entry> _sessions = new(StringComparer.Ordinal);

    /// <summary>Registers a session; its token fires when a newer session for the host arrives.</summary>
    public Lease Claim(string hostId, string sessionId)
    {
        var entry = new Entry(sessionId, new CancellationTokenSource());
        _sessions.AddOrUpdate(hostId, entry, (_, old) => { old.Superseded.Cancel(); return entry; });
        return new Lease(this, hostId, entry);
    }

    public bool IsConnected(string hostId) => _sessions.ContainsKey(hostId);

    public IReadOnlyCollection<string> ConnectedHosts => _sessions.Keys.ToList();

    public sealed record Entry(string SessionId, CancellationTokenSource Superseded);

    public sealed class Lease(SessionRegistry owner, string hostId, SessionRegistry.Entry entry) : IDisposable
    {
        public CancellationToken Superseded => entry.Superseded.Token;

        public void Dispose()
        {
            owner._sessions.TryRemove(new KeyValuePair<string, Entry>(hostId, entry));
        }
    }
}
