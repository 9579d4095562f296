using Infra.Controller.Core.Placement;
using Infra.Store.Sqlite;

namespace Infra.Store.Benchmarks;

/// <summary>
/// SQLite store throughput with fsync on every commit (synchronous=FULL), in a temp file on this
/// machine's disk. Reads (no fsync) are the in-run reference for what the disk flush costs. strace
/// shows one fsync per commit in every row; on this VM's ext4 a lone commit's fsync takes 3-8 ms,
/// while commits arriving back to back (8 callers) fsync much faster, most likely because the
/// inode's timestamps have not ticked between them so ext4 has no journal commit to wait for.
/// </summary>
internal static class StoreBenchmarks
{
    public static async Task<List<BenchmarkRunner.Row>> RunAsync(bool quick)
    {
        var dir = Directory.CreateTempSubdirectory("infra-store-bench-");
        try
        {
            await using var store = SqliteStore.Open(new SqliteStoreOptions(Path.Combine(dir.FullName, "state.db")));
            var n = quick ? 300 : 2000;
            var rows = new List<BenchmarkRunner.Row>();
            long seq = 0;
            rows.Add(await BenchmarkRunner.MeasureAsync("sqlite put (1 caller)", n, async count =>
            {
                for (var i = 0; i < count; i++) await store.PutAsync($"/bench/put/{seq++ % 1000:D4}", "value-0123456789");
            }, "one fsync per put"));
            rows.Add(await BenchmarkRunner.MeasureAsync("sqlite txn cas (1 caller)", n, async count =>
            {
                for (var i = 0; i < count; i++)
                {
                    var key = $"/bench/txn/{seq++ % 1000:D4}";
                    var kv = await store.GetAsync(key);
                    await store.TxnAsync(new TxnRequest([Compare.ModRevision(key, CompareResult.Equal, kv?.ModRevision ?? 0)],
                        [PutRequest.Of(key, "v"), PutRequest.Of(key + "/b", "w")]));
                }
            }, "get + compare-and-put of 2 keys"));
            rows.Add(await BenchmarkRunner.MeasureAsync("sqlite put (8 callers)", n, async count =>
            {
                await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
                {
                    for (var i = w; i < count; i += 8) await store.PutAsync($"/bench/par/{i % 1000:D4}", "value");
                })));
            }, "writes serialized; back-to-back commits fsync faster"));
            rows.Add(await BenchmarkRunner.MeasureAsync("sqlite get (1 caller)", n * 5, async count =>
            {
                for (var i = 0; i < count; i++) await store.GetAsync($"/bench/put/{i % 1000:D4}");
            }, "reference: no fsync"));
            rows.Add(await BenchmarkRunner.MeasureAsync("sqlite range 100 keys", n, async count =>
            {
                for (var i = 0; i < count; i++) await store.RangeAsync(RangeRequest.Prefix("/bench/put/00"));
            }));
            rows.Add(await StoreBackedPlacementAsync(store, 10_000, quick ? 50 : 300));
            // Same as the first row, once the WAL file has reached its working size: the first row pays
            // for growing the file (ext4 journals the size change on every fsync), this one does not.
            rows.Add(await BenchmarkRunner.MeasureAsync("sqlite put (1 caller, warm WAL)", n, async count =>
            {
                for (var i = 0; i < count; i++) await store.PutAsync($"/bench/put/{seq++ % 1000:D4}", "value-0123456789");
            }, "one fsync per put"));
            return rows;
        }
        finally
        {
            SqliteConnectionPoolReset();
            dir.Delete(true);
        }
    }

    /// <summary>
    /// End-to-end placement through <see cref="Infra.Controller.Core.Placement.ClaimStore"/>: sync the cached view
    /// (changed hosts only), decide, commit the claim txn (one fsync). Shows that at 10,000 hosts the
    /// store round trip, not the decision, bounds the rate.
    /// </summary>
    static async Task<BenchmarkRunner.Row> StoreBackedPlacementAsync(IKeyValueStore store, int hosts, int ops)
    {
        var inventory = Enumerable.Range(0, hosts).Select(i => new HostCapacity($"host-{i:D5}", 32, 2500, 262144)).ToList();
        var claims = new ClaimStore(store, new PlacementPolicy(Strategy: PlacementStrategy.Spread));
        long seq = 0;
        return await BenchmarkRunner.MeasureAsync($"store-backed placement, {hosts:N0} hosts", ops, async count =>
        {
            for (var i = 0; i < count; i++)
            {
                var d = await claims.PlaceAsync(inventory, new PlacementRequest($"vm-{seq++}", 2, 2000, 2048));
                if (!d.Placed) throw new InvalidOperationException(d.Error);
            }
        }, "ClaimStore: sync changed hosts, decide, txn (1 fsync)");
    }

    static void SqliteConnectionPoolReset() => Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
}
