using Infra.Store;
using Infra.Store.Sqlite;

namespace Infra.Store.Benchmarks;

/// <summary>
/// Child process for the crash test: writes keys forever and prints "ack KEY REVISION" only after
/// the store returned, i.e. after the commit was fsynced. The test kills it with SIGKILL at random
/// moments and checks every acknowledged key survived. Alternates single puts and txns so both
/// paths are covered.
/// </summary>
internal static class CrashWriter
{
    public static async Task<int> RunAsync(string path, string prefix)
    {
        await using var store = SqliteStore.Open(new SqliteStoreOptions(path));
        var stdout = Console.Out;
        Console.WriteLine("ready");
        for (long i = 0; i < 10_000_000; i++)
        {
            var key = $"{prefix}/{i:D8}";
            long rev;
            if (i % 2 == 0)
            {
                rev = (await store.PutAsync(key, $"v{i}")).Header.Revision;
            }
            else
            {
                var r = await store.TxnAsync(new TxnRequest([Compare.Absent(key)], [PutRequest.Of(key, $"v{i}"), PutRequest.Of(key + "/shadow", "s")]));
                rev = r.Header.Revision;
            }
            stdout.WriteLine($"ack {key} {rev}");
            stdout.Flush();
        }
        return 0;
    }
}
