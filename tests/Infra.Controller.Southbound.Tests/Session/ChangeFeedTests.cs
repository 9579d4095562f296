using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Infra.Controller.Southbound.Session;
using Infra.Store;
using Infra.Store.Sqlite;
using Infra.V1;
using Microsoft.Extensions.Logging.Abstractions;
using static Infra.Controller.Southbound.Tests.Support.Objects;

namespace Infra.Controller.Southbound.Tests.Session;

public sealed class ChangeFeedTests
{
    static Infra.Store.WatchEvent HostEvent(Host now, Host? before) => new(Infra.Store.EventType.Put,
        new KeyValue(Keys.Of(Kinds.Host.Key(now.Meta.Id)), now.ToByteArray(), 1, 2, 2, 0),
        before is null ? null : new KeyValue(Keys.Of(Kinds.Host.Key(before.Meta.Id)), before.ToByteArray(), 1, 1, 1, 0));

    [Fact]
    public void Relevant_HeartbeatsAndAckedVersions_DoNotWakeSessions()
    {
        var before = Host("h1", "192.0.2.1");
        var beat = before.Clone();
        beat.LastHeartbeat = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch);
        beat.AppliedVersion = 9;

        Assert.False(ChangeFeed.Relevant(HostEvent(beat, before)));
    }

    static Infra.Store.WatchEvent Event(string key, IMessage now, IMessage before) => new(Infra.Store.EventType.Put,
        new KeyValue(Keys.Of(key), now.ToByteArray(), 1, 2, 2, 0), new KeyValue(Keys.Of(key), before.ToByteArray(), 1, 1, 1, 0));

    [Fact]
    public void Relevant_ObservedStateWrittenBack_DoesNotWakeSessions_ButDesiredChangesAndDeletingDo()
    {
        var before = Instance("i1", "t1", "h1", "p1");
        var running = before.Clone();
        running.State = InstanceState.Error;
        running.StateReason = "qemu exited";
        running.Meta.UpdateTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch);
        var stopped = before.Clone();
        stopped.DesiredState = InstanceState.Stopped;
        var deleting = before.Clone();
        deleting.State = InstanceState.Deleting;
        var port = Port("p1", "t1", "i1", "h1", "02:00:00:00:00:01", "10.0.0.1");
        var portUp = port.Clone();
        portUp.Status = PortStatus.Up;

        Assert.False(ChangeFeed.Relevant(Event(Kinds.Instance.Key("i1"), running, before)));
        Assert.False(ChangeFeed.Relevant(Event(Kinds.Port.Key("p1"), portUp, port)));
        Assert.True(ChangeFeed.Relevant(Event(Kinds.Instance.Key("i1"), stopped, before)));
        Assert.True(ChangeFeed.Relevant(Event(Kinds.Instance.Key("i1"), deleting, before)));
    }

    [Theory]
    [InlineData("/infra/v1/names/tenants/_/acme", false)]
    [InlineData("/infra/v1/claims/h1", false)]
    [InlineData("/infra/v1/ipam/net-1/10.0.0.5", false)]
    [InlineData("/infra/v1/refs/networks/n1/ports/p1", false)]
    [InlineData("/infra/v1/reboots/i1", true)]
    [InlineData("/infra/v1/tenants/t1", true)]
    public void Relevant_ApiIndexKeysDoNotWakeSessions_RebootsAndObjectsDo(string key, bool relevant)
    {
        var created = new Infra.Store.WatchEvent(Infra.Store.EventType.Put, new KeyValue(Keys.Of(key), [1], 1, 1, 1, 0), null);
        Assert.Equal(relevant, ChangeFeed.Relevant(created));
    }

    [Fact]
    public void Relevant_NetworkUpdates_WakeSessions_TheyReachGuestsConfigDrivesAndDhcp()
    {
        var before = new Network { Meta = new ObjectMeta { Id = "n1" }, TenantId = "t1" };
        before.Subnets.Add(new Subnet { Cidr = "10.0.0.0/24", Gateway = "10.0.0.1" });
        var withDns = before.Clone();
        withDns.Subnets[0].DnsServers.Add("10.0.0.53");

        Assert.True(ChangeFeed.Relevant(Event(Kinds.Network.Key("n1"), withDns, before)));
    }

    [Fact]
    public void Relevant_NewHostsAndTunnelAddressChanges_WakeSessions()
    {
        var before = Host("h1", "192.0.2.1");
        var moved = Host("h1", "192.0.2.99");

        Assert.True(ChangeFeed.Relevant(HostEvent(before, null)));
        Assert.True(ChangeFeed.Relevant(HostEvent(moved, before)));
    }

    [Fact]
    public async Task DirtyFlag_ManySetsWhileBusy_AreOneWakeUp()
    {
        var flag = new DirtyFlag();

        for (var i = 0; i < 20; i++) flag.Set();
        await flag.WaitAsync(CancellationToken.None);

        using var quiet = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => flag.WaitAsync(quiet.Token));
    }

    [Fact]
    public async Task Subscription_StoreChangeUnderTheRoot_WakesIt()
    {
        var dir = Directory.CreateTempSubdirectory("infra-feed-").FullName;
        try
        {
            await using var store = SqliteStore.Open(new SqliteStoreOptions(Path.Combine(dir, "state.db")));
            await using var feed = new ChangeFeed(store, NullLogger<ChangeFeed>.Instance);
            using var sub = feed.Subscribe();
            await sub.WaitAsync(CancellationToken.None); // the initial flag
            // The feed's first resync may set the flag once more; wait for the watch to be live by
            // writing until a wake-up follows a write (bounded).
            using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await store.PutAsync(Policy("pol-1", "t1"));
            await sub.WaitAsync(bounded.Token);
            sub.Drain();
            await store.PutAsync(Policy("pol-2", "t1"));
            await sub.WaitAsync(bounded.Token);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
