using HostState = Infra.Controller.Domain.Model.HostState;

namespace Infra.Controller.Core.Placement;

/// <summary>One host's capacity and running usage inside a <see cref="PlacementIndex"/> (mutable, index-private).</summary>
internal sealed class HostSlot
{
    public required HostCapacity Host { get; init; }
    public required int Index { get; init; }
    public long MemCapacity;
    public long MhzCapacity;
    public long VcpuCapacity;
    public long MemUsed;
    public long MhzUsed;
    public long VcpuUsed;
    public string[] PoolNames = [];
    public long[] PoolFree = [];
    /// <summary>Members per group on this host (affinity and anti-affinity names share one map).</summary>
    public Dictionary<string, int>? Groups;

    public long MemFree => MemCapacity - MemUsed;
    public long MhzFree => MhzCapacity - MhzUsed;
    public long VcpuFree => VcpuCapacity - VcpuUsed;

    public bool Eligible => Host.State == HostState.Up && !Host.Cordoned;

    public static HostSlot Create(HostCapacity h, int index, PlacementPolicy p)
    {
        var reserve = h.MemoryReserveMiB ?? p.MemoryReserveMiB;
        var pools = h.Pools ?? [];
        return new HostSlot
        {
            Host = h,
            Index = index,
            MemCapacity = (long)(Math.Max(0, h.MemoryMiB - reserve) * p.MemoryOvercommit),
            MhzCapacity = (long)((long)h.Cores * h.MhzPerCore * p.CpuOvercommit),
            VcpuCapacity = (long)(h.Cores * p.CpuOvercommit),
            PoolNames = pools.Select(x => x.Name).ToArray(),
            PoolFree = pools.Select(x => x.CapacityBytes).ToArray(),
        };
    }

    public int PoolIndex(string name)
    {
        for (var i = 0; i < PoolNames.Length; i++) if (PoolNames[i] == name) return i;
        return -1;
    }

    public int Members(string? group) => group is not null && Groups is not null && Groups.TryGetValue(group, out var n) ? n : 0;

    /// <summary>Add (sign 1) or remove (sign -1) a claim's usage.</summary>
    public void Account(Claim c, int sign)
    {
        MemUsed += sign * c.MemoryMiB;
        MhzUsed += sign * c.CpuMhz;
        VcpuUsed += sign * c.Vcpus;
        foreach (var s in c.Storage ?? [])
        {
            var i = PoolIndex(s.Pool);
            if (i >= 0) PoolFree[i] -= sign * s.Bytes;
        }
        Join(c.AffinityGroup, sign);
        Join(c.AntiAffinityGroup, sign);
    }

    void Join(string? group, int sign)
    {
        if (group is null) return;
        Groups ??= [];
        var n = Members(group) + sign;
        if (n <= 0) Groups.Remove(group); else Groups[group] = n;
    }

    /// <summary>The first filter this host fails for the request, or null when it fits.</summary>
    public Rejection? Check(PlacementRequest r)
    {
        switch (Host.State)
        {
            case HostState.Down: return Rejection.Down;
            case HostState.Suspect: return Rejection.Suspect;
            case HostState.Maintenance: return Rejection.Maintenance;
        }
        if (Host.Cordoned) return Rejection.Cordoned;
        if (r.AntiAffinityGroup is not null && Members(r.AntiAffinityGroup) > 0) return Rejection.AntiAffinity;
        if (r.Vcpus > Host.Cores) return Rejection.TooFewCores;
        // A vCPU is one thread on at most one core: slow cores cannot deliver cpu_mhz however much is free
        // (the agent would cap the quota at vcpus x 100 %, selling MHz it cannot give).
        if (r.CpuMhz > (long)r.Vcpus * Host.RealCoreMhz) return Rejection.CoresTooSlow;
        if (r.MemoryMiB > MemFree) return Rejection.Memory;
        if (r.CpuMhz > MhzFree) return Rejection.CpuMhz;
        if (r.Vcpus > VcpuFree) return Rejection.VcpuThreads;
        foreach (var s in r.Storage ?? [])
        {
            var i = PoolIndex(s.Pool);
            if (i < 0) return Rejection.StoragePoolMissing;
            if (s.Bytes > PoolFree[i]) return Rejection.StorageSpace;
        }
        return null;
    }
}
