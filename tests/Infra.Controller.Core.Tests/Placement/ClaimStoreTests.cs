using Infra.Controller.Core.Placement;

namespace Infra.Controller.Core.Tests.Placement;

public sealed class ClaimStoreTests : IAsyncLifetime
{
    readonly TempSqliteStore _db = new();
    static readonly PlacementPolicy Policy = new(CpuOvercommit: 1.0, MemoryOvercommit: 1.0, MemoryReserveMiB: 0, Strategy: PlacementStrategy.Spread);
    static readonly HostCapacity[] Hosts = Enumerable.Range(0, 4).Select(i => new HostCapacity($"h{i}", 64, 3000, 8192)).ToArray();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task ParallelPlacements_FromManyControllers_NeverOvercommitAHost()
    {
        // 4 hosts x 8 GiB; 48 requests of 1 GiB from 3 "controllers": exactly 32 fit.
        var controllers = Enumerable.Range(0, 3).Select(_ => new ClaimStore(_db.Store, Policy)).ToArray();
        var results = await Task.WhenAll(Enumerable.Range(0, 48).Select(i => Task.Run(() =>
            controllers[i % 3].PlaceAsync(Hosts, new PlacementRequest($"vm{i}", 1, 100, 1024)))));
        Assert.Equal(32, results.Count(r => r.Placed));
        Assert.All(results.Where(r => !r.Placed), r => Assert.Contains("4 hosts lack memory (need 1024 MiB, best has 0 free)", r.Error));
        var claims = await controllers[0].ListAsync();
        Assert.Equal(32, claims.Count);
        Assert.Equal(32, claims.Select(c => c.InstanceId).Distinct().Count());
        foreach (var g in claims.GroupBy(c => c.HostId)) Assert.True(g.Sum(c => c.MemoryMiB) <= 8192, $"{g.Key} overcommitted");
        // Each successful decision names the host its claim landed on.
        foreach (var (r, i) in results.Select((r, i) => (r, i)).Where(x => x.r.Placed))
            Assert.Equal(r.HostId, claims.Single(c => c.InstanceId == $"vm{i}").HostId);
    }

    [Fact]
    public async Task Place_IsIdempotent_AndReleaseFreesTheRoom()
    {
        var claims = new ClaimStore(_db.Store, Policy);
        HostCapacity[] one = [new("only", 4, 2000, 2048)];
        var first = await claims.PlaceAsync(one, new PlacementRequest("a", 1, 100, 2048));
        var again = await claims.PlaceAsync(one, new PlacementRequest("a", 1, 100, 2048));
        Assert.Equal("only", first.HostId);
        Assert.Equal("only", again.HostId);
        Assert.Single(await claims.ListAsync());
        Assert.False((await claims.PlaceAsync(one, new PlacementRequest("b", 1, 100, 2048))).Placed);
        Assert.True(await claims.ReleaseAsync("a"));
        Assert.False(await claims.ReleaseAsync("a"));
        Assert.True((await claims.PlaceAsync(one, new PlacementRequest("b", 1, 100, 2048))).Placed);
    }

    [Fact]
    public async Task Claims_SurviveARestart()
    {
        await new ClaimStore(_db.Store, Policy).PlaceAsync(Hosts, new PlacementRequest("a", 1, 100, 8192));
        var store = await _db.ReopenAsync();
        var list = await new ClaimStore(store, Policy).ListAsync();
        Assert.Equal("a", list.Single().InstanceId);
    }

    [Fact]
    public async Task CachedView_SeesReleasesAndClaimsMadeByAnotherReplica()
    {
        HostCapacity[] one = [new("only", 4, 2000, 4096)];
        var a = new ClaimStore(_db.Store, Policy);
        var b = new ClaimStore(_db.Store, Policy);
        Assert.True((await a.PlaceAsync(one, new PlacementRequest("x", 1, 100, 4096))).Placed);
        Assert.False((await b.PlaceAsync(one, new PlacementRequest("y", 1, 100, 1024))).Placed);
        Assert.True(await b.ReleaseAsync("x"));
        Assert.True((await a.PlaceAsync(one, new PlacementRequest("y", 1, 100, 3072))).Placed); // a's cache saw the release
        var third = await b.PlaceAsync(one, new PlacementRequest("z", 1, 100, 2048)); // b's cache sees a's claim
        Assert.False(third.Placed);
        Assert.Contains("need 2048 MiB, best has 1024 free", third.Error);
    }
}
