namespace Infra.Controller.Core.Placement;

/// <summary>
/// Placement over an in-memory view of hosts and their claims, built once and then updated claim by
/// claim, so a decision costs O(log hosts + hosts inspected) instead of recomputing every host.
///
/// Filters (a host must pass all): state Up and not cordoned; no member of the request's anti-affinity
/// group; a member of its affinity group when the group has members anywhere; vcpus &lt;= cores;
/// memory, MHz and vCPU threads within capacity x overcommit; every storage need fits its pool.
/// Score: free memory after placement, the resource that runs out first on real clusters; Pack
/// takes the lowest (best fit), Spread the highest. CPU and storage act as filters only.
///
/// Not thread-safe: one index per decision loop. Atomicity across controllers comes from
/// <see cref="ClaimStore"/>, which commits a claim only if the host's claims are unchanged.
/// </summary>
public sealed partial class PlacementIndex
{
    readonly PlacementPolicy _policy;
    readonly HostSlot[] _slots;
    readonly Dictionary<string, int> _byId;
    readonly SortedFreeList _free = new();
    readonly Dictionary<string, Claim> _claims = [];
    /// <summary>group -> host index -> members, to find affinity candidates without a scan.</summary>
    readonly Dictionary<string, Dictionary<int, int>> _groupHosts = [];

    public PlacementIndex(IReadOnlyList<HostCapacity> hosts, IEnumerable<Claim> claims, PlacementPolicy policy)
    {
        if (policy.Validate() is { Count: > 0 } errors) throw new ArgumentException("invalid placement policy: " + string.Join("; ", errors));
        _policy = policy;
        _slots = new HostSlot[hosts.Count];
        _byId = new Dictionary<string, int>(hosts.Count);
        for (var i = 0; i < hosts.Count; i++)
        {
            if (!_byId.TryAdd(hosts[i].HostId, i)) throw new ArgumentException($"host {hosts[i].HostId} is listed twice");
            _slots[i] = HostSlot.Create(hosts[i], i, policy);
        }
        foreach (var c in claims) Account(c, 1, updateFreeList: false);
        foreach (var s in _slots) if (s.Eligible) _free.Add(s.MemFree, s.Index);
    }

    public int HostCount => _slots.Length;
    public PlacementPolicy Policy => _policy;

    /// <summary>Choose a host for the request without changing the index.</summary>
    public PlacementDecision Decide(PlacementRequest r)
    {
        if (r.Validate() is { Count: > 0 } errors) return new(null, "invalid request: " + string.Join("; ", errors), new Dictionary<Rejection, int>());
        if (_claims.TryGetValue(r.InstanceId, out var existing)) return PlacementDecision.At(existing.HostId);
        var host = r.AffinityGroup is not null && _groupHosts.TryGetValue(r.AffinityGroup, out var members)
            ? BestAmong(r, members.Keys)
            : FirstByStrategy(r);
        return host >= 0 ? PlacementDecision.At(_slots[host].Host.HostId) : Explain(r);
    }

    int FirstByStrategy(PlacementRequest r)
    {
        var start = _free.FirstWithAtLeast(r.MemoryMiB);
        if (_policy.Strategy == PlacementStrategy.Pack)
        {
            for (var i = start; i < _free.Count; i++)
                if (_slots[_free[i].Host].Check(r) is null) return _free[i].Host;
        }
        else
        {
            for (var i = _free.Count - 1; i >= start; i--)
                if (_slots[_free[i].Host].Check(r) is null) return _free[i].Host;
        }
        return -1;
    }

    int BestAmong(PlacementRequest r, IEnumerable<int> candidates)
    {
        var best = -1;
        foreach (var h in candidates)
        {
            var s = _slots[h];
            if (s.Check(r) is not null) continue;
            if (best < 0) { best = h; continue; }
            var better = _policy.Strategy == PlacementStrategy.Pack ? s.MemFree < _slots[best].MemFree : s.MemFree > _slots[best].MemFree;
            if (better) best = h;
        }
        return best;
    }

    /// <summary>Record a claim (after it was committed, or one observed from the store).</summary>
    public void Apply(Claim c) => Account(c, 1, updateFreeList: true);

    /// <summary>Forget a claim (instance deleted or moved).</summary>
    public bool Release(string instanceId)
    {
        if (!_claims.TryGetValue(instanceId, out var c)) return false;
        Account(c, -1, updateFreeList: true);
        return true;
    }

    void Account(Claim c, int sign, bool updateFreeList)
    {
        if (!_byId.TryGetValue(c.HostId, out var i)) return; // claim on a host no longer listed: nothing to count against
        if (sign > 0 && !_claims.TryAdd(c.InstanceId, c)) throw new InvalidOperationException($"instance {c.InstanceId} already has a claim");
        if (sign < 0) _claims.Remove(c.InstanceId);
        var s = _slots[i];
        if (updateFreeList && s.Eligible) _free.Remove(s.MemFree, i);
        s.Account(c, sign);
        if (updateFreeList && s.Eligible) _free.Add(s.MemFree, i);
        Index(c.AffinityGroup, i, sign);
        Index(c.AntiAffinityGroup, i, sign);
    }

    void Index(string? group, int host, int sign)
    {
        if (group is null) return;
        if (!_groupHosts.TryGetValue(group, out var hosts)) _groupHosts[group] = hosts = [];
        var n = hosts.GetValueOrDefault(host) + sign;
        if (n <= 0) hosts.Remove(host); else hosts[host] = n;
        if (hosts.Count == 0) _groupHosts.Remove(group);
    }
}
