using Infra.Agent.Core.State;
using Infra.Agent.Core.Storage;
using Infra.V1;
using static Infra.Agent.Tests.Support.Resources;
using PbVolume = Infra.V1.VolumeSpec;
using PbBackend = Infra.V1.VolumeBackend;

namespace Infra.Agent.Tests.Storage;

public class PurgeMappingTests
{
    private static readonly StorageLayout Layout = new([("fast", "/pools/fast"), ("slow", "/pools/slow")], "/images");

    private static PbVolume Purge(string id, string pool = "") =>
        new() { Id = id, Purge = true, Backend = new PbBackend { Local = new LocalBackend { Pool = pool } } };

    [Fact]
    public void Map_PurgeSpec_IsNeverServed()
    {
        var m = VolumeMapping.Map(DesiredSnapshot.FromFull(Full(1, new Resource { Volume = Purge("v1") })), Layout, _ => true);
        Assert.Empty(m.Value);
        Assert.Empty(m.Errors);
    }

    [Fact]
    public void PurgeFiles_AreTheExistingVolumeFileAndEveryOverlay_InTheSpecsPool()
    {
        var present = new HashSet<string> { "/pools/slow/v1.raw" };
        var (files, error) = VolumeMapping.PurgeFiles(Purge("v1", "slow"), Layout, present.Contains,
            f => f == "/pools/slow/v1.qcow2" ? ["/pools/slow/v1@~x-9.qcow2", "/pools/slow/v1@s1.qcow2"] : []);
        Assert.Null(error);
        Assert.Equal(["/pools/slow/v1.raw", "/pools/slow/v1@s1.qcow2", "/pools/slow/v1@~x-9.qcow2"], files);
    }

    [Fact]
    public void PurgeFiles_NothingLeft_IsAnEmptyList_AndAnUnknownPoolIsAnError()
    {
        var (none, noError) = VolumeMapping.PurgeFiles(Purge("v1"), Layout, _ => false, _ => []);
        Assert.Empty(none);
        Assert.Null(noError);
        var (_, error) = VolumeMapping.PurgeFiles(Purge("v1", "nope"), Layout, _ => true, _ => []);
        Assert.Contains("storage pool 'nope' is not configured", error);
    }
}
