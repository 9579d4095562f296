namespace Infra.Store.Tests.Conformance;

public abstract partial class StoreConformance
{
    [Fact]
    public async Task Txn_ParallelOptimisticIncrements_NeverLoseAnUpdate()
    {
        const int workers = 8, perWorker = 25;
        var key = P + "counter";
        await Store.PutAsync(key, "0");
        var conflicts = 0;
        var tasks = Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < perWorker; i++)
            {
                for (var attempt = 0; ; attempt++)
                {
                    Assert.True(attempt < 10_000, "optimistic loop did not converge");
                    var kv = (await Store.GetAsync(key))!;
                    var next = (long.Parse(kv.ValueString) + 1).ToString();
                    var r = await Store.TxnAsync(new TxnRequest(
                        [Compare.ModRevision(key, CompareResult.Equal, kv.ModRevision)],
                        [PutRequest.Of(key, next)]));
                    if (r.Succeeded) break;
                    Interlocked.Increment(ref conflicts);
                }
            }
        })).ToArray();
        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromMinutes(2));
        var final = (await Store.GetAsync(key))!;
        Assert.Equal((workers * perWorker).ToString(), final.ValueString);
        Assert.Equal(workers * perWorker + 1, final.Version);
    }

    [Fact]
    public async Task Reads_DuringWrites_AlwaysSeeAConsistentSnapshot()
    {
        // Two keys always written together; a reader must never see them differ.
        await Store.TxnAsync(new TxnRequest([], [PutRequest.Of(P + "pair/a", "0"), PutRequest.Of(P + "pair/b", "0")]));
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            for (var i = 1; i <= 100; i++)
                await Store.TxnAsync(new TxnRequest([], [PutRequest.Of(P + "pair/a", i.ToString()), PutRequest.Of(P + "pair/b", i.ToString())]));
        });
        var readers = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            while (!writer.IsCompleted)
            {
                var kvs = await Store.GetPrefixAsync(P + "pair/");
                Assert.Equal(kvs[0].ValueString, kvs[1].ValueString);
                Assert.Equal(kvs[0].ModRevision, kvs[1].ModRevision);
            }
        })).ToArray();
        await Task.WhenAll(readers.Append(writer)).WaitAsync(TimeSpan.FromMinutes(2));
    }
}
