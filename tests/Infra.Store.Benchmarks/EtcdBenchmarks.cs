using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Infra.Store.Etcd;
using Infra.Store.Sqlite;

namespace Infra.Store.Benchmarks;

/// <summary>
/// Store writes/s, the same workloads on both backends in one run: the embedded SQLite file
/// (synchronous=FULL, one fsync per commit) and a local single-member etcd (raft log fsync per
/// batch of proposals, spoken to over Grpc.Net.Client on loopback h2c). etcd batches concurrent
/// proposals into one WAL fsync, so the 8-caller rows show how much each backend gains from
/// concurrency. Measured here: a lone etcd put is ~4x faster than a lone SQLite commit, most likely
/// because etcd fdatasyncs a preallocated WAL segment (no size or timestamp change for ext4 to
/// journal) while SQLite's fsync of a growing WAL file waits for a journal commit (see StoreBenchmarks).
/// </summary>
internal static class EtcdBenchmarks
{
    public static async Task<List<BenchmarkRunner.Row>> RunAsync(bool quick)
    {
        var n = quick ? 300 : 2000;
        var rows = new List<BenchmarkRunner.Row>();
        var dir = Directory.CreateTempSubdirectory("infra-etcd-bench-");
        Process? etcd = null;
        try
        {
            await using (var sqlite = SqliteStore.Open(new SqliteStoreOptions(Path.Combine(dir.FullName, "state.db"))))
                rows.AddRange(await WritesAsync("sqlite", sqlite, n));
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

            var (process, url) = await StartEtcdAsync(Path.Combine(dir.FullName, "etcd"));
            etcd = process;
            await using var store = EtcdStore.Connect(EtcdStoreOptions.For(url));
            rows.AddRange(await WritesAsync("etcd", store, n));
            rows.Add(await BenchmarkRunner.MeasureAsync("etcd get (1 caller)", n, async count =>
            {
                for (var i = 0; i < count; i++) await store.GetAsync($"/bench/put/{i % 1000:D4}");
            }, "reference: linearizable read, no fsync"));
            return rows;
        }
        finally
        {
            if (etcd is { HasExited: false }) { etcd.Kill(); etcd.WaitForExit(10_000); }
            etcd?.Dispose();
            dir.Delete(true);
        }
    }

    static async Task<List<BenchmarkRunner.Row>> WritesAsync(string backend, IKeyValueStore store, int n)
    {
        long seq = 0;
        return
        [
            await BenchmarkRunner.MeasureAsync($"{backend} put (1 caller)", n, async count =>
            {
                for (var i = 0; i < count; i++) await store.PutAsync($"/bench/put/{Interlocked.Increment(ref seq) % 1000:D4}", "value-0123456789");
            }),
            await BenchmarkRunner.MeasureAsync($"{backend} put (8 callers)", n, count => Parallel8(count, async i =>
                await store.PutAsync($"/bench/put/{i % 1000:D4}", "value-0123456789"))),
            await BenchmarkRunner.MeasureAsync($"{backend} txn cas (1 caller)", n, async count =>
            {
                for (var i = 0; i < count; i++) await CasAsync(store, $"/bench/txn/{Interlocked.Increment(ref seq) % 1000:D4}");
            }, "get + compare-and-put of 2 keys"),
            await BenchmarkRunner.MeasureAsync($"{backend} txn cas (8 callers)", n, count => Parallel8(count, async i =>
                await CasAsync(store, $"/bench/txn8/{i % 1000:D4}")), "distinct keys per caller: no conflicts"),
        ];
    }

    static async Task CasAsync(IKeyValueStore store, string key)
    {
        var kv = await store.GetAsync(key);
        await store.TxnAsync(new TxnRequest([Compare.ModRevision(key, CompareResult.Equal, kv?.ModRevision ?? 0)],
            [PutRequest.Of(key, "v"), PutRequest.Of(key + "/b", "w")]));
    }

    static Task Parallel8(long count, Func<long, Task> op) =>
        Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (long i = w; i < count; i += 8) await op(i);
        })));

    static async Task<(Process, string)> StartEtcdAsync(string dataDir)
    {
        int client = FreePort(), peer = FreePort();
        var url = $"http://127.0.0.1:{client}";
        var peerUrl = $"http://127.0.0.1:{peer}";
        var psi = new ProcessStartInfo("etcd") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--name", "default", "--data-dir", dataDir, "--listen-client-urls", url, "--advertise-client-urls", url,
                     "--listen-peer-urls", peerUrl, "--initial-advertise-peer-urls", peerUrl, "--initial-cluster", $"default={peerUrl}",
                     "--log-level", "error", "--logger", "zap" })
            psi.ArgumentList.Add(a);
        var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start etcd (apt install etcd-server)");
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        await using var probe = EtcdStore.Connect(new EtcdStoreOptions([url], CallTimeout: TimeSpan.FromSeconds(1)));
        for (var sw = Stopwatch.StartNew(); ; await Task.Delay(50))
        {
            try { await probe.GetAsync("/probe"); return (p, url); }
            catch (StoreException) when (sw.Elapsed < TimeSpan.FromSeconds(30) && !p.HasExited) { }
        }
    }

    static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
