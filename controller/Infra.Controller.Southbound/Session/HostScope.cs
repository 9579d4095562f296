using Infra.Store;
using Infra.V1;

namespace Infra.Controller.Southbound.Session;

/// <summary>
/// What one host may report on, decided from the store as the placement left it: instances whose
/// host_id is the host; volumes local to it (host_id), or shared ones attached to an instance placed
/// on it; ports of an instance placed on it. Everything else, whatever the agent claims, is another
/// host's or nobody's. One scope per report or nack: each instance's host is read once.
/// </summary>
sealed class HostScope(IKeyValueStore store, string hostId)
{
    readonly Dictionary<string, string?> _hostOf = new(StringComparer.Ordinal);

    public string HostId => hostId;

    /// <summary>Remembers an instance read anyway (the VM loop), so its volumes and ports cost no read.</summary>
    public void Saw(Instance i) => _hostOf[i.Meta.Id] = i.HostId;

    /// <summary>Null when the host may report on <paramref name="i"/>, else why not.</summary>
    public string? Refuse(Instance i) => i.HostId == hostId ? null : Where("it", i.HostId);

    public async Task<string?> RefuseAsync(Volume v, CancellationToken ct)
    {
        if (v.HostId.Length > 0) return v.HostId == hostId ? null : $"it is local to host {v.HostId}";
        if (v.AttachedInstanceId.Length == 0) return "it is a shared volume attached to no instance";
        return await RefuseInstanceAsync(v.AttachedInstanceId, ct).ConfigureAwait(false);
    }

    public async Task<string?> RefuseAsync(Port p, CancellationToken ct) =>
        p.InstanceId.Length == 0 ? "it is attached to no instance" : await RefuseInstanceAsync(p.InstanceId, ct).ConfigureAwait(false);

    async Task<string?> RefuseInstanceAsync(string instanceId, CancellationToken ct)
    {
        if (!_hostOf.TryGetValue(instanceId, out var host))
            _hostOf[instanceId] = host = (await ObjectStore.ReadAsync(store, Kinds.Instance, instanceId, ct).ConfigureAwait(false))?.HostId;
        if (host == hostId) return null;
        return host is null ? $"its instance {instanceId} does not exist" : Where($"its instance {instanceId}", host);
    }

    static string Where(string what, string host) => host.Length == 0 ? $"{what} is placed on no host" : $"{what} is placed on host {host}";
}
