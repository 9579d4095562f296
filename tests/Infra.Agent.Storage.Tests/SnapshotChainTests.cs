using Infra.Agent.Storage.Volumes;

namespace Infra.Agent.Storage.Tests;

/// <summary>Snapshot file naming and the chain top, pure.</summary>
public class SnapshotChainTests
{
    [Theory]
    [InlineData("/p/vol1.qcow2", "s1", "/p/vol1@s1.qcow2")]
    [InlineData("/p/vol1.raw", "snap-2.a", "/p/vol1@snap-2.a.qcow2")]
    public void OverlayPath_IsNextToTheVolume_NamedByVolumeAndSnapshot(string volume, string snapshot, string expected)
    {
        Assert.Equal(expected, SnapshotNaming.OverlayPath(volume, snapshot));
        Assert.Equal(snapshot, SnapshotNaming.SnapshotIdOf(expected));
    }

    [Theory]
    [InlineData("s1", true)]
    [InlineData("9f0a-1.b_c", true)]
    [InlineData("~x-123", false)]
    [InlineData(".hidden", false)]
    [InlineData("a/b", false)]
    [InlineData("a@b", false)]
    [InlineData("", false)]
    public void SnapshotIds_AreSafeFileNameParts(string id, bool valid) => Assert.Equal(valid, SnapshotNaming.IsValidId(id));

    [Fact]
    public void TemporaryCut_IsNoSnapshot() => Assert.Null(SnapshotNaming.SnapshotIdOf("/p/vol1@~x-0123.qcow2"));

    [Fact]
    public void Top_WalksFromTheBaseThroughOverlays()
    {
        var backing = new Dictionary<string, string?>
        {
            ["/p/v@s2.qcow2"] = "/p/v@s1.qcow2",
            ["/p/v@s1.qcow2"] = "/p/v.qcow2",
        };
        Assert.Equal("/p/v@s2.qcow2", VolumeChain.Top("/p/v.qcow2", backing));
    }

    [Fact]
    public void Top_WithoutOverlays_IsTheBase() => Assert.Equal("/p/v.qcow2", VolumeChain.Top("/p/v.qcow2", new Dictionary<string, string?>()));

    [Fact]
    public void Top_OfAForkedChain_IsAnError()
    {
        var backing = new Dictionary<string, string?> { ["/p/v@a.qcow2"] = "/p/v.qcow2", ["/p/v@b.qcow2"] = "/p/v.qcow2" };
        Assert.Contains("forked", Assert.Throws<InvalidOperationException>(() => VolumeChain.Top("/p/v.qcow2", backing)).Message);
    }
}
