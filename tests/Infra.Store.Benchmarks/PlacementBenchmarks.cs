using HostState = Infra.Controller.Domain.Model.HostState;
using Infra.Controller.Core.Placement;

namespace Infra.Store.Benchmarks;

/// <summary>
/// Placement decisions per second on an index of N hosts in steady state: each operation decides,
/// applies the claim and releases the oldest live claim, so the cluster stays ~half full. Baseline:
/// the same decision by rebuilding the view from hosts + claims each time (the O(hosts) way).
/// </summary>
internal static class PlacementBenchmarks
{
    public static IEnumerable<BenchmarkRunner.Row> Run(bool quick)
    {
        foreach (var n in new[] { 1_000, 10_000 })
        {
            foreach (var strategy in new[] { PlacementStrategy.Pack, PlacementStrategy.Spread })
                yield return Indexed(n, strategy, quick ? 20_000 : 200_000);
            yield return Rebuild(n, quick ? 50 : 300);
        }
    }

    static List<HostCapacity> Hosts(int n)
    {
        var rng = new Random(1);
        return Enumerable.Range(0, n).Select(i => new HostCapacity(
            $"host-{i:D5}", Cores: 16 << rng.Next(0, 3), MhzPerCore: 2000 + rng.Next(0, 1000), MemoryMiB: (64L << rng.Next(0, 4)) * 1024,
            State: rng.Next(100) == 0 ? HostState.Down : HostState.Up, Cordoned: rng.Next(100) == 0,
            Pools: [new StoragePool("local", 2L << 40)])).ToList();
    }

    static PlacementRequest[] Requests(int count)
    {
        var rng = new Random(2);
        int[] mem = [512, 1024, 2048, 4096, 8192, 16384];
        return Enumerable.Range(0, count).Select(i => new PlacementRequest($"vm-{i}", 1 << rng.Next(0, 4), 500 * (1 + rng.Next(0, 8)),
            mem[rng.Next(mem.Length)], [new StorageNeed("local", 20L << 30)], AntiAffinityGroup: rng.Next(20) == 0 ? $"grp{rng.Next(50)}" : null)).ToArray();
    }

    /// <summary>Fill the cluster to about half its memory so decisions search a realistic spread of free space.</summary>
    static (PlacementIndex, Queue<string>) Prefilled(List<HostCapacity> hosts, PlacementPolicy policy, PlacementRequest[] reqs, int live)
    {
        var index = new PlacementIndex(hosts, [], policy);
        var queue = new Queue<string>();
        for (var i = 0; i < live; i++)
        {
            var r = reqs[i % reqs.Length] with { InstanceId = $"pre-{i}" };
            var d = index.Decide(r);
            if (!d.Placed) break;
            index.Apply(Claim.For(r, d.HostId!));
            queue.Enqueue(r.InstanceId);
        }
        return (index, queue);
    }

    static BenchmarkRunner.Row Indexed(int n, PlacementStrategy strategy, int ops)
    {
        var hosts = Hosts(n);
        var policy = new PlacementPolicy(4.0, 1.0, 4096, strategy);
        var reqs = Requests(4096);
        var (index, live) = Prefilled(hosts, policy, reqs, n * 8);
        long seq = 0, failed = 0;
        var row = BenchmarkRunner.Measure($"placement {strategy.ToString().ToLowerInvariant()}, {n:N0} hosts", ops, count =>
        {
            for (long i = 0; i < count; i++)
            {
                var r = reqs[i & 4095] with { InstanceId = $"x-{seq++}" };
                var d = index.Decide(r);
                if (d.Placed)
                {
                    index.Apply(Claim.For(r, d.HostId!));
                    live.Enqueue(r.InstanceId);
                }
                else failed++;
                index.Release(live.Dequeue());
            }
        });
        return row with { Note = $"decide+claim+release, {live.Count:N0} live VMs, {failed} unplaced" };
    }

    static BenchmarkRunner.Row Rebuild(int n, int ops)
    {
        var hosts = Hosts(n);
        var policy = new PlacementPolicy(4.0, 1.0, 4096, PlacementStrategy.Pack);
        var reqs = Requests(4096);
        var claims = new List<Claim>();
        var idx = new PlacementIndex(hosts, [], policy);
        for (var i = 0; i < n * 8; i++)
        {
            var r = reqs[i % reqs.Length] with { InstanceId = $"pre-{i}" };
            var d = idx.Decide(r);
            if (!d.Placed) break;
            idx.Apply(Claim.For(r, d.HostId!));
            claims.Add(Claim.For(r, d.HostId!));
        }
        return BenchmarkRunner.Measure($"baseline: rebuild per decision, {n:N0} hosts", ops, count =>
        {
            for (var i = 0; i < count; i++) Placer.Decide(hosts, claims, reqs[i & 4095], policy);
        }, "Placer.Decide over hosts + claims each time");
    }
}
