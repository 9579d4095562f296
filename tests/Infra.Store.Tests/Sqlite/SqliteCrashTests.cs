using System.Diagnostics;
using Infra.Store.Sqlite;
using Infra.Store.Tests.Support;

namespace Infra.Store.Tests.Sqlite;

/// <summary>
/// Durability: a writer process is SIGKILLed at random moments; every write it acknowledged (printed
/// after the store call returned) must be in the file when it is reopened, and each transaction must
/// be all-or-nothing.
/// </summary>
public sealed class SqliteCrashTests
{
    const int Rounds = 5;

    [Fact]
    public async Task Kill9_AtRandomMoments_LosesNoAcknowledgedWrite()
    {
        using var dir = new TempDir();
        var db = dir.File("state.db");
        var rng = new Random(Environment.TickCount);
        var acked = new List<(string Key, long Rev)>();
        for (var round = 0; round < Rounds; round++)
        {
            var got = await RunAndKillAsync(db, $"/crash/{round}", TimeSpan.FromMilliseconds(rng.Next(200, 1500)));
            Assert.True(got.Count > 0, $"round {round}: the writer acknowledged nothing before the kill");
            acked.AddRange(got);

            await using var store = SqliteStore.Open(new SqliteStoreOptions(db));
            var all = (await store.RangeAsync(RangeRequest.Prefix("/crash/"))).Kvs.ToDictionary(kv => kv.KeyString);
            var revision = (await store.RangeAsync(RangeRequest.Single("/none"))).Header.Revision;
            foreach (var (key, rev) in acked)
            {
                Assert.True(all.TryGetValue(key, out var kv), $"acknowledged key {key} (revision {rev}) is missing after kill -9");
                Assert.Equal(rev, kv.ModRevision);
            }
            Assert.True(revision >= acked.Max(a => a.Rev));
            // Transactions (odd indexes) wrote a shadow key in the same commit: both or neither.
            foreach (var key in all.Keys.Where(k => !k.EndsWith("/shadow")))
            {
                var odd = long.Parse(key[(key.LastIndexOf('/') + 1)..]) % 2 == 1;
                Assert.Equal(odd, all.ContainsKey(key + "/shadow"));
            }
        }
    }

    static async Task<List<(string, long)>> RunAndKillAsync(string db, string prefix, TimeSpan after)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Infra.Store.Benchmarks.dll");
        // The test host runs under the dotnet muxer; reuse it so the child gets the same runtime.
        var muxer = Environment.ProcessPath is { } pp && Path.GetFileNameWithoutExtension(pp) == "dotnet" ? pp : "dotnet";
        var psi = new ProcessStartInfo(muxer) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { dll, "crash-writer", db, prefix }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var acks = new List<(string, long)>();
        var ready = new TaskCompletionSource();
        var reader = Task.Run(async () =>
        {
            while (await p.StandardOutput.ReadLineAsync() is { } line)
            {
                if (line == "ready") ready.TrySetResult();
                var parts = line.Split(' ');
                // A line cut by the kill is incomplete and was never a full acknowledgement.
                if (parts is ["ack", var k, var r] && long.TryParse(r, out var rev)) lock (acks) acks.Add((k, rev));
            }
        });
        var stderr = p.StandardError.ReadToEndAsync();
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
            await Task.Delay(after);
        }
        finally
        {
            if (!p.HasExited) p.Kill(); // SIGKILL on Unix
            await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        await reader.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(p.ExitCode != 0, "writer exited on its own: " + await stderr);
        lock (acks) return [.. acks];
    }
}
