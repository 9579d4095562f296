using Google.Protobuf;
using Infra.Controller.Southbound.Cluster;
using Infra.Controller.Southbound.Desired;
using Infra.Controller.Southbound.Session;
using Infra.Store;
using Infra.Store.Sqlite;
using Infra.V1;
using static Infra.Controller.Southbound.Tests.Support.Objects;

namespace Infra.Controller.Southbound.Tests.Desired;

public sealed class VolumePurgeTests
{
    static Volume LocalVolume(string id, string host) => new()
    {
        Meta = new ObjectMeta { Id = id, Name = id }, HostId = host, SizeBytes = 1 << 20,
        Backend = new VolumeBackend { Local = new LocalBackend { Pool = "p1", Format = DiskFormat.Qcow2 } },
    };

    static KeyValue Row(PutRequest p) => new(p.Key, p.Value, 1, 1, 1, 0);

    [Fact]
    public void Build_TombstoneOfThisHost_IsSentAsAPurgeSpec_AndOtherHostsDoNotSeeIt()
    {
        var tomb = VolumePurge.Tombstone(LocalVolume("vol-gone", "h1"))!;
        var s = ClusterSnapshot.From(1, [Row(tomb), Row(new PutRequest(Keys.Of(KeyOf(Host("h1", "192.0.2.1"))), Host("h1", "192.0.2.1").ToByteArray()))]);

        Assert.Equal("/infra/southbound/purge/h1/vol-gone", System.Text.Encoding.UTF8.GetString(tomb.Key));
        var spec = Assert.Single(DesiredStateBuilder.Build(s, "h1").Resources.OfKind(DesiredKind.Volume)).Volume;
        Assert.Equal(("vol-gone", true, "p1", 1ul << 20), (spec.Id, spec.Purge, spec.Backend.Local.Pool, spec.SizeBytes));
        Assert.Empty(DesiredStateBuilder.Build(s, "h2").Resources.OfKind(DesiredKind.Volume));
    }

    [Fact]
    public void Build_TombstonesInAnyOrder_GiveTheSameResources()
    {
        var rows = new[] { "b", "a", "c" }.Select(id => Row(VolumePurge.Tombstone(LocalVolume(id, "h1"))!)).ToList();
        var one = DesiredStateBuilder.Build(ClusterSnapshot.From(1, rows), "h1").Resources.OfKind(DesiredKind.Volume).ToList();
        rows.Reverse();
        var two = DesiredStateBuilder.Build(ClusterSnapshot.From(1, rows), "h1").Resources.OfKind(DesiredKind.Volume).ToList();
        Assert.Equal(["a", "b", "c"], one.Select(r => r.Volume.Id).Order());
        Assert.Equal(one, two);
    }

    [Fact]
    public void Tombstone_NbdVolumeOrNoHost_IsNone_AndAnAttachedVolumeGoesToItsInstancesHost()
    {
        var nbd = LocalVolume("v1", "h1");
        nbd.Backend = new VolumeBackend { Nbd = new NbdBackend { Uri = "nbd://192.0.2.9/x" } };
        Assert.Null(VolumePurge.Tombstone(nbd));
        Assert.Null(VolumePurge.Tombstone(LocalVolume("v2", "")));
        Assert.Equal(StoreLayout.Purge("h7", "v3"), System.Text.Encoding.UTF8.GetString(VolumePurge.Tombstone(LocalVolume("v3", ""), attachedInstanceHost: "h7")!.Key));
    }

    [Fact]
    public async Task StatusApplier_PurgedReport_DeletesOnlyThatHostsTombstone()
    {
        var dir = Directory.CreateTempSubdirectory("sb-purge-").FullName;
        try
        {
            await using var store = SqliteStore.Open(new SqliteStoreOptions(Path.Combine(dir, "state.db")));
            await store.PutAsync(VolumePurge.Tombstone(LocalVolume("v1", "h1"))!);
            await store.PutAsync(VolumePurge.Tombstone(LocalVolume("v2", "h1"))!);
            await store.PutAsync(VolumePurge.Tombstone(LocalVolume("v1", "h2"))!);
            var applier = new StatusApplier(store);

            var report = new StatusReport();
            report.Volumes.Add(new VolumeStatus { Id = "v1", Purged = true });
            await applier.ApplyAsync("h1", report, CancellationToken.None);
            await applier.ApplyAsync("h1", report, CancellationToken.None); // repeated: a no-op

            var left = (await store.RangeAsync(RangeRequest.Prefix(StoreLayout.PurgeRoot))).Kvs.Select(k => k.KeyString).ToList();
            Assert.Equal([StoreLayout.Purge("h1", "v2"), StoreLayout.Purge("h2", "v1")], left);
            var s = await ClusterSnapshot.LoadAsync(store, CancellationToken.None);
            Assert.Equal(["v2"], s.Purges["h1"].Keys);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
