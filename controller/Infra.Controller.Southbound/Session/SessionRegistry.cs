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
    public Lease Claim(string hostId, string sessionId, Commands.CommandChannel? commands = null)
    {
        var entry = new Entry(sessionId, new CancellationTokenSource(), commands ?? new Commands.CommandChannel(hostId));
        _sessions.AddOrUpdate(hostId, entry, (_, old) => { old.Superseded.Cancel(); return entry; });
        return new Lease(this, hostId, entry);
    }

    public bool IsConnected(string hostId) => _sessions.ContainsKey(hostId);

    public IReadOnlyCollection<string> ConnectedHosts => _sessions.Keys.ToList();

    /// <summary>The live session of a host on this replica, if any.</summary>
    public Entry? Find(string hostId) => _sessions.TryGetValue(hostId, out var e) ? e : null;

    /// <summary>Every live session on this replica (host, session id), for republishing ownership.</summary>
    public IReadOnlyList<(string HostId, string SessionId)> Sessions => _sessions.Select(kv => (kv.Key, kv.Value.SessionId)).ToList();

    /// <summary>Ends the host's session on this replica because the host was revoked; false when it has none here.</summary>
    public bool Revoke(string hostId)
    {
        if (!_sessions.TryGetValue(hostId, out var e)) return false;
        e.Revoked = true;
        e.Superseded.Cancel();
        return true;
    }

    public sealed record Entry(string SessionId, CancellationTokenSource Superseded, Commands.CommandChannel Commands)
    {
        /// <summary>Set before <see cref="Superseded"/> fires when the session ends because its host was revoked.</summary>
        public volatile bool Revoked;
    }

    public sealed class Lease(SessionRegistry owner, string hostId, SessionRegistry.Entry entry) : IDisposable
    {
        public CancellationToken Superseded => entry.Superseded.Token;
        public Commands.CommandChannel Commands => entry.Commands;
        public bool Revoked => entry.Revoked;

        public void Dispose()
        {
            owner._sessions.TryRemove(new KeyValuePair<string, Entry>(hostId, entry));
        }
    }
}
