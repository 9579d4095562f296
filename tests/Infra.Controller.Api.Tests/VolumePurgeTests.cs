using Google.Protobuf;
using Infra.Controller.Api.Tests.Support;
using Infra.Controller.Model.Store;
using Infra.Store;
using Infra.V1;
using static Infra.Controller.Api.Tests.Support.Fixtures;

namespace Infra.Controller.Api.Tests;

/// <summary>Deleting a volume that lives on a host leaves a purge order for that host, atomically with the removal.</summary>
public sealed class VolumePurgeTests : IAsyncLifetime
{
    ApiServer s = null!;
    public async Task InitializeAsync() => s = await ApiServer.StartAsync();
    public async Task DisposeAsync() => await s.DisposeAsync();

    /// <summary>Places the volume on a host as an attach does (host_id is output only).</summary>
    async Task PlaceAsync(string volumeId, string host)
    {
        var kv = await s.Store.GetAsync(Kinds.Volume.Key(volumeId)) ?? throw new InvalidOperationException("no volume " + volumeId);
        var v = Volume.Parser.ParseFrom(kv.Value);
        v.HostId = host;
        await s.Store.PutAsync(new PutRequest(Keys.Of(Kinds.Volume.Key(volumeId)), v.ToByteArray()));
    }

    [Fact]
    public async Task DeleteVolume_OnAHost_WritesItsPurgeTombstoneInTheSameRevisionAsTheRemoval()
    {
        var t = await TenantAsync(s, "t");
        var v = await s.Volumes.CreateVolumeAsync(new CreateVolumeRequest { TenantId = t.Meta.Id, Name = "v", SizeGib = 1 });
        await PlaceAsync(v.Meta.Id, "h1");

        var deleted = await s.Volumes.DeleteVolumeAsync(new DeleteVolumeRequest { Id = v.Meta.Id });

        Assert.Null(await s.Store.GetAsync(Kinds.Volume.Key(v.Meta.Id)));
        var tomb = await s.Store.GetAsync(StoreLayout.Purge("h1", v.Meta.Id)) ?? throw new Xunit.Sdk.XunitException("no tombstone");
        Assert.Equal(deleted.Revision, tomb.ModRevision);
        var spec = VolumeSpec.Parser.ParseFrom(tomb.Value);
        Assert.Equal((v.Meta.Id, true, 1ul << 30), (spec.Id, spec.Purge, spec.SizeBytes));
    }

    [Fact]
    public async Task DeleteVolume_NbdOrOnNoHost_LeavesNoTombstone()
    {
        var t = await TenantAsync(s, "t");
        var nbd = await s.Volumes.CreateVolumeAsync(new CreateVolumeRequest
        {
            TenantId = t.Meta.Id, Name = "n", SizeGib = 1, Backend = new VolumeBackend { Nbd = new NbdBackend { Uri = "nbd://192.0.2.9/x" } },
        });
        await PlaceAsync(nbd.Meta.Id, "h1");
        var nowhere = await s.Volumes.CreateVolumeAsync(new CreateVolumeRequest { TenantId = t.Meta.Id, Name = "w", SizeGib = 1 });

        await s.Volumes.DeleteVolumeAsync(new DeleteVolumeRequest { Id = nbd.Meta.Id });
        await s.Volumes.DeleteVolumeAsync(new DeleteVolumeRequest { Id = nowhere.Meta.Id });

        Assert.Empty((await s.Store.RangeAsync(RangeRequest.Prefix(StoreLayout.PurgeRoot))).Kvs);
    }
}
