using Google.Protobuf;
using Infra.Controller.Southbound.Cluster;
using Infra.Controller.Southbound.Desired;
using Infra.Controller.Southbound.Session;
using Infra.Store;
using Infra.Store.Sqlite;
using Infra.V1;
using static Infra.Controller.Southbound.Tests.Support.Objects;

namespace Infra.Controller.Southbound.Tests.Desired;

public sealed class VmTombstonesTests
{
    static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    static KeyValue Row(PutRequest p) => new(p.Key, p.Value, 1, 1, 1, 0);
    static KeyValue Row(IMessage m) => new(Keys.Of(KeyOf(m)), m.ToByteArray(), 1, 1, 1, 0);

    [Fact]
    public void Build_TombstoneOfThisHost_IsSentAsADeletedVmSpec_OnlyToThatHost()
    {
        var tomb = VmTombstones.Put("h1", "i-gone", Now)!;
        var s = ClusterSnapshot.From(1, [Row(tomb), Row(Host("h1", "192.0.2.1")), Row(Host("h2", "192.0.2.2"))]);

        Assert.Equal("/infra/southbound/vm-tombstones/h1/i-gone", System.Text.Encoding.UTF8.GetString(tomb.Key));
        var vm = Assert.Single(DesiredStateBuilder.Build(s, "h1").Resources.OfKind(DesiredKind.Vm)).Vm;
        Assert.Equal(("i-gone", true), (vm.Id, vm.Deleted));
        Assert.Empty(DesiredStateBuilder.Build(s, "h2").Resources.OfKind(DesiredKind.Vm));
    }

    [Fact]
    public void Build_AnInstanceLiveOnTheHost_WinsOverItsTombstone()
    {
        var s = ClusterSnapshot.From(1, [Row(VmTombstones.Put("h1", "i1", Now)!), Row(Host("h1", "192.0.2.1")), Row(Instance("i1", "t1", "h1"))]);
        var vm = Assert.Single(DesiredStateBuilder.Build(s, "h1").Resources.OfKind(DesiredKind.Vm)).Vm;
        Assert.False(vm.Deleted);
        Assert.Equal(2u, vm.Vcpus);
    }

    [Fact]
    public void Put_InstanceWithoutHost_IsNone() => Assert.Null(VmTombstones.Put("", "i1", Now));

    [Fact]
    public async Task StatusApplier_DeletedReport_ForgetsOnlyThatHostsTombstone_AndOrphansAreNotFolded()
    {
        var dir = Directory.CreateTempSubdirectory("sb-vmtomb-").FullName;
        try
        {
            await using var store = SqliteStore.Open(new SqliteStoreOptions(Path.Combine(dir, "state.db")));
            await store.PutAsync(VmTombstones.Put("h1", "i1", Now)!);
            await store.PutAsync(VmTombstones.Put("h1", "i2", Now)!);
            await store.PutAsync(VmTombstones.Put("h2", "i1", Now)!);
            // i3 runs on h2; h1 reports a stray VM of that id as an orphan: h2's truth must stand.
            await store.PutAsync(Instance("i3", "t1", "h2"));
            await store.PutAsync(Host("h1", "192.0.2.1"));
            var applier = new StatusApplier(store);

            var report = new StatusReport();
            report.Vms.Add(new VmStatus { Id = "i1", Deleted = true });
            report.Vms.Add(new VmStatus { Id = "i3", Orphan = true, State = InstanceState.Stopped });
            await applier.ApplyAsync("h1", report, CancellationToken.None);
            await applier.ApplyAsync("h1", report, CancellationToken.None); // repeated: a no-op

            var left = (await store.RangeAsync(RangeRequest.Prefix(StoreLayout.VmTombstoneRoot))).Kvs.Select(k => k.KeyString).ToList();
            Assert.Equal([StoreLayout.VmTombstone("h1", "i2"), StoreLayout.VmTombstone("h2", "i1")], left);
            var s = await ClusterSnapshot.LoadAsync(store, CancellationToken.None);
            Assert.Equal(["i2"], s.VmTombstones["h1"]);
            Assert.Equal(InstanceState.Running, s.Instances["i3"].State);
            Assert.Equal(["i3"], s.Hosts["h1"].OrphanInstanceIds);

            // A full report replaces the host's list, and says when the agent holds.
            var full = new StatusReport { Full = true, Held = "desired-state.pb: checksum mismatch" };
            full.Vms.Add(new VmStatus { Id = "i9", Orphan = true, State = InstanceState.Running });
            await applier.ApplyAsync("h1", full, CancellationToken.None);
            var h1 = (await ClusterSnapshot.LoadAsync(store, CancellationToken.None)).Hosts["h1"];
            Assert.Equal(["i9"], h1.OrphanInstanceIds);
            Assert.Equal("desired-state.pb: checksum mismatch", h1.AgentHeld);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
