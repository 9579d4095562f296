using Infra.Store.Tests.Support;
using Google.Protobuf.WellKnownTypes;
using Infra.Controller.Core.Placement;
using Infra.Controller.Southbound.Cluster;
using Infra.Controller.Southbound.Failure;
using Infra.Controller.Southbound.Session;
using Infra.Controller.Southbound.Tests.Support;
using Infra.Store.Sqlite;
using Infra.V1;
using HostState = Infra.V1.HostState;
using Microsoft.Extensions.Logging.Abstractions;
using static Infra.Controller.Southbound.Tests.Support.Objects;

namespace Infra.Controller.Southbound.Tests.Failure;

/// <summary>The detector against a real SQLite store, time driven by a fake clock.</summary>
public sealed class HostFailureDetectorTests : IAsyncLifetime
{
    readonly string _dir = Directory.CreateTempSubdirectory("infra-detector-").FullName;
    readonly SqliteStore _store;
    readonly FakeTimeProvider _time = new();
    readonly SouthboundOptions _options = new()
    {
        ControllerId = "ctl-a", HeartbeatInterval = TimeSpan.FromSeconds(5), SuspectAfterMissed = 2, DownAfterMissed = 4,
        DetectorInterval = TimeSpan.FromSeconds(1), Placement = new PlacementPolicy(MemoryReserveMiB: 0),
    };
    readonly ClaimStore _claims;
    readonly HostFailureDetector _detector;

    public HostFailureDetectorTests()
    {
        _store = SqliteStore.Open(new SqliteStoreOptions(Path.Combine(_dir, "state.db")));
        _claims = new ClaimStore(_store, _options.Placement);
        _detector = new HostFailureDetector(_store, new Evacuator(_store, _claims, NullLogger<Evacuator>.Instance), _options, _time, NullLogger<HostFailureDetector>.Instance);
    }

    async Task HostsAsync(params (string Id, ulong MemoryMib)[] hosts)
    {
        foreach (var (id, mem) in hosts)
        {
            var h = Host(id, "192.0.2." + id[^1], memoryMib: mem);
            h.LastHeartbeat = Timestamp.FromDateTimeOffset(_time.GetUtcNow());
            await _store.PutAsync(h);
        }
    }

    async Task VmAsync(string id, string host, ulong memoryMib = 2048, string? bootVolume = null)
    {
        var i = Instance(id, "t1", host);
        i.MemoryMib = memoryMib;
        if (bootVolume is not null) i.BootVolumeId = bootVolume;
        await _store.PutAsync(i);
        var placed = await _claims.PlaceAsync([new HostCapacity(host, 16, 2000, 1 << 20)], new PlacementRequest(id, 2, 2000, (long)memoryMib));
        Assert.True(placed.Placed);
    }

    Task<Infra.V1.Instance?> InstanceAsync(string id) => ObjectStore.ReadAsync(_store, Kinds.Instance, id, default);
    Task<Infra.V1.Host?> HostAsync(string id) => ObjectStore.ReadAsync(_store, Kinds.Host, id, default);

    [Fact]
    public async Task CheckOnce_SilentHostGoesSuspectThenDown_WhileABeatingHostStaysUp()
    {
        await HostsAsync(("h1", 65536), ("h2", 65536));
        var records = new HostRecords(_store, _time);

        _time.Advance(TimeSpan.FromSeconds(10));
        await records.HeartbeatAsync("h2", default);
        var first = await _detector.CheckOnceAsync(default);
        _time.Advance(TimeSpan.FromSeconds(10));
        await records.HeartbeatAsync("h2", default);
        var second = await _detector.CheckOnceAsync(default);

        Assert.Equal([new("h1", HostState.Up, HostState.Suspect)], first);
        Assert.Equal([new("h1", HostState.Suspect, HostState.Down)], second);
        Assert.Equal(HostState.Up, (await HostAsync("h2"))!.State);
    }

    [Fact]
    public async Task HeartbeatAfterSuspect_BringsTheHostBackUp()
    {
        await HostsAsync(("h1", 65536));
        _time.Advance(TimeSpan.FromSeconds(10));
        await _detector.CheckOnceAsync(default);
        Assert.Equal(HostState.Suspect, (await HostAsync("h1"))!.State);

        await new HostRecords(_store, _time).HeartbeatAsync("h1", default);
        var later = await _detector.CheckOnceAsync(default);

        Assert.Empty(later);
        Assert.Equal(HostState.Up, (await HostAsync("h1"))!.State);
    }

    [Fact]
    public async Task Down_InstancesMoveWhereTheyFit_OthersGoErrorWithThePlacementsExplanation()
    {
        await HostsAsync(("h1", 65536), ("h2", 8192));
        await VmAsync("i-small", "h1", 4096);
        await VmAsync("i-big", "h1", 32768);
        var local = new Volume { Meta = new ObjectMeta { Id = "v-local" }, HostId = "h1", Backend = new VolumeBackend { Local = new LocalBackend { Pool = "default" } } };
        await _store.PutAsync(local);
        await VmAsync("i-local", "h1", 1024, bootVolume: "v-local");

        _time.Advance(TimeSpan.FromSeconds(20));
        await new HostRecords(_store, _time).HeartbeatAsync("h2", default);
        await _detector.CheckOnceAsync(default);

        var small = (await InstanceAsync("i-small"))!;
        var big = (await InstanceAsync("i-big"))!;
        var stuck = (await InstanceAsync("i-local"))!;
        Assert.Equal(("h2", InstanceState.Scheduled), (small.HostId, small.State));
        Assert.Equal(("", InstanceState.Error), (big.HostId, big.State));
        Assert.Contains("lacks memory (need 32768 MiB", big.StateReason);
        Assert.Equal(("h1", InstanceState.Error), (stuck.HostId, stuck.State));
        Assert.Contains("v-local are local to it", stuck.StateReason);
        var claims = await _claims.ListAsync();
        Assert.Equal("h2", claims.Single(c => c.InstanceId == "i-small").HostId);
        Assert.DoesNotContain(claims, c => c.InstanceId == "i-big");
    }

    [Fact]
    public async Task RunAsync_OnlyTheLeaderChecks_AndItTicksOnTheInjectedClock()
    {
        await HostsAsync(("h1", 65536), ("h2", 65536));
        await VmAsync("i1", "h1");
        var records = new HostRecords(_store, _time);
        using var cts = new CancellationTokenSource();
        var run = _detector.RunAsync(cts.Token);
        try
        {
            for (var i = 0; i < 600 && (await InstanceAsync("i1"))!.HostId != "h2"; i++)
            {
                if (_time.PendingTimers > 0) _time.Advance(TimeSpan.FromSeconds(1));
                await records.HeartbeatAsync("h2", default);
                await Task.Delay(25);
            }
            Assert.Equal("h2", (await InstanceAsync("i1"))!.HostId);
            Assert.Equal(HostState.Down, (await HostAsync("h1"))!.State);
            Assert.Equal("ctl-a", await new Infra.Store.Election.LeaderElection(_store, StoreLayout.DetectorElection, TimeSpan.FromSeconds(10)).GetLeaderAsync());
        }
        finally
        {
            cts.Cancel();
            await run;
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
