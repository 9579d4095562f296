using Infra.Agent.Core.Storage;
using Infra.Agent.Storage.Volumes;
using static Infra.Agent.Core.Storage.StorageAction;

namespace Infra.Agent.Tests.Storage;

/// <summary>The storage pass as (desired, observed) -> actions: what stops, what is purged, what is served.</summary>
public sealed class StoragePlannerTests
{
    static MappedVolume Vol(string id) => new(new VolumeSpec(id, new Qcow2Backend($"/pool/{id}.qcow2")), 0);
    static Dictionary<string, MappedVolume> Desired(params string[] ids) => ids.ToDictionary(id => id, Vol);
    static StoragePlanner.Observed Served(params (string Id, bool Alive)[] served) =>
        new(served.ToDictionary(s => s.Id, s => s.Alive), []);
    static readonly HashSet<string> None = [];

    [Fact]
    public void NewDesiredVolume_IsServed_AndOneAlreadyServedAlive_IsLeftAlone()
    {
        var plan = StoragePlanner.Plan(Desired("v1", "v2"), None, [], Served(("v1", true)));
        Assert.Equal([new Serve(Vol("v2"), Died: false)], plan);
    }

    [Fact]
    public void ServedVolumeWhoseDaemonDied_IsServedAgain_MarkedDied()
    {
        var plan = StoragePlanner.Plan(Desired("v1"), None, [], Served(("v1", false)));
        Assert.Equal([new Serve(Vol("v1"), Died: true)], plan);
    }

    [Fact]
    public void VolumeNoLongerDesired_IsStopped_ButNotWhenAVmStillNamesItOrItCouldNotBeMapped()
    {
        var plan = StoragePlanner.Plan(Desired(), new HashSet<string> { "held" }, [], Served(("gone", true), ("held", true)));
        Assert.Equal([new Stop("gone", Purging: false)], plan);
    }

    [Fact]
    public void PurgedVolume_IsStoppedAsPurging_ThenPurged_StopsBeforePurgesBeforeServes()
    {
        var spec = new Infra.V1.VolumeSpec { Id = "dead", Purge = true };
        var plan = StoragePlanner.Plan(Desired("new"), None, [spec], Served(("dead", true)));
        Assert.Equal([new Stop("dead", Purging: true), new Purge(spec), new Serve(Vol("new"), false)], plan);
    }

    [Fact]
    public void DaemonDirectoryOfAPreviousAgent_NoVolumeOwns_IsAStray_OthersAreKept()
    {
        var observed = new StoragePlanner.Observed(new Dictionary<string, bool> { ["ours"] = true }, ["ours", "wanted", "held", "stray"]);
        var plan = StoragePlanner.Plan(Desired("ours", "wanted"), new HashSet<string> { "held" }, [], observed);
        Assert.Equal([new StopStray("stray"), new Serve(Vol("wanted"), false)], plan);
    }

    [Fact]
    public void EmptyDesiredState_WithNothingServed_DoesNothing() =>
        Assert.Empty(StoragePlanner.Plan(Desired(), None, [], new StoragePlanner.Observed(new Dictionary<string, bool>(), [])));
}
