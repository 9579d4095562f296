using System.Text;

namespace Infra.Controller.Core.Placement;

public sealed partial class PlacementIndex
{
    /// <summary>
    /// Nothing fits: run every host through the filters (O(hosts), only on this failure path) and
    /// say, per reason, how many hosts failed and how close the best one came.
    /// </summary>
    PlacementDecision Explain(PlacementRequest r)
    {
        var counts = new Dictionary<Rejection, int>();
        long bestMem = 0, bestMhz = 0, bestVcpu = 0, bestStorage = 0, maxCores = 0, fastestCore = 0;
        var inGroup = r.AffinityGroup is not null && _groupHosts.TryGetValue(r.AffinityGroup, out var members) ? members : null;
        foreach (var s in _slots)
        {
            var why = s.Check(r);
            if (why is null && inGroup is not null && !inGroup.ContainsKey(s.Index)) why = Rejection.NotInAffinityGroup;
            if (why is null) continue; // cannot happen when called after a failed search; be safe
            counts[why.Value] = counts.GetValueOrDefault(why.Value) + 1;
            switch (why)
            {
                case Rejection.Memory: bestMem = Math.Max(bestMem, s.MemFree); break;
                case Rejection.CpuMhz: bestMhz = Math.Max(bestMhz, s.MhzFree); break;
                case Rejection.VcpuThreads: bestVcpu = Math.Max(bestVcpu, s.VcpuFree); break;
                case Rejection.TooFewCores: maxCores = Math.Max(maxCores, s.Host.Cores); break;
                case Rejection.CoresTooSlow: fastestCore = Math.Max(fastestCore, s.Host.RealCoreMhz); break;
                case Rejection.StorageSpace:
                    foreach (var need in r.Storage ?? [])
                    {
                        var p = s.PoolIndex(need.Pool);
                        if (p >= 0 && need.Bytes > s.PoolFree[p]) bestStorage = Math.Max(bestStorage, s.PoolFree[p]);
                    }
                    break;
            }
        }
        var parts = new List<string>();
        foreach (var (why, n) in counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key))
        {
            var hosts = n == 1 ? "1 host" : $"{n} hosts";
            string V(string one, string many) => n == 1 ? one : many;
            parts.Add(why switch
            {
                Rejection.Memory => $"{hosts} {V("lacks", "lack")} memory (need {r.MemoryMiB} MiB, best has {bestMem} free)",
                Rejection.CpuMhz => $"{hosts} {V("lacks", "lack")} CPU (need {r.CpuMhz} MHz, best has {bestMhz} free)",
                Rejection.VcpuThreads => $"{hosts} {V("lacks", "lack")} vCPU threads (need {r.Vcpus}, best has {bestVcpu} free)",
                Rejection.TooFewCores => $"{hosts} {V("has", "have")} fewer cores than the {r.Vcpus} vcpus asked (largest has {maxCores})",
                Rejection.CoresTooSlow => $"{hosts} {V("has", "have")} cores too slow for {r.CpuMhz} MHz on {r.Vcpus} vCPU(s) (fastest runs {fastestCore} MHz per core); add vCPUs or lower cpu_mhz",
                Rejection.StorageSpace => $"{hosts} {V("lacks", "lack")} storage (need {Need(r)}, best pool has {bestStorage / (1024 * 1024)} MiB free)",
                Rejection.StoragePoolMissing => $"{hosts} {V("lacks", "lack")} storage pool {string.Join(",", (r.Storage ?? []).Select(s => s.Pool))}",
                Rejection.AntiAffinity => $"{hosts} already {V("runs", "run")} a member of anti-affinity group {r.AntiAffinityGroup}",
                Rejection.NotInAffinityGroup => $"{hosts} {V("does", "do")} not run affinity group {r.AffinityGroup}",
                Rejection.Cordoned => $"{hosts} cordoned",
                Rejection.Down => $"{hosts} down",
                Rejection.Suspect => $"{hosts} suspect (not heard from)",
                Rejection.Maintenance => $"{hosts} in maintenance",
                _ => $"{hosts}: {why}",
            });
        }
        var sb = new StringBuilder($"no host can take instance {r.InstanceId} ({r.Vcpus} vcpus, {r.CpuMhz} MHz, {r.MemoryMiB} MiB): ");
        sb.Append(_slots.Length == 0 ? "no hosts are registered" : string.Join("; ", parts));
        return new PlacementDecision(null, sb.ToString(), counts);
    }

    static string Need(PlacementRequest r) =>
        string.Join(", ", (r.Storage ?? []).Select(s => $"{s.Bytes / (1024 * 1024)} MiB in {s.Pool}"));
}
