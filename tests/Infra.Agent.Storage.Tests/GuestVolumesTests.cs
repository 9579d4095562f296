using Infra.Agent.Storage.Images;
using static Infra.Agent.Storage.Tests.TestFiles;

namespace Infra.Agent.Storage.Tests;

/// <summary>What a booted guest wrote to its vhost-user-blk disks, read back on the host.</summary>
public class GuestVolumesTests(GuestVolumesFixture fx) : IClassFixture<GuestVolumesFixture>
{
    private readonly QemuImg _img = new();

    private async Task<string> ExportAsync(string image)
    {
        var raw = fx.Path(System.IO.Path.GetFileName(image) + $".{Guid.NewGuid():N}.export.raw");
        await _img.ExportRawAsync(image, raw);
        return raw;
    }

    [Fact]
    public void Guest_SawFourVirtioDisks()
    {
        foreach (var d in new[] { "vda", "vdb", "vdc", "vdd" })
            Assert.Contains($"GUEST-DISK-WRITTEN-TO /dev/{d}", fx.GuestSerial);
    }

    [Fact]
    public void Guest_PoweringOff_IsReportedAsGuestShutdownEvent() =>
        Assert.Equal("guest-shutdown", fx.ShutdownReason);

    [Fact]
    public void Guest_ReadsBaseDataThroughClone_AndRemoteDataThroughNbd()
    {
        Assert.Matches(@"GUEST-DISK-BEFORE vd[a-d]=BASE-AT-ZERO", fx.GuestSerial);
        Assert.Matches(@"GUEST-DISK-BEFORE vd[a-d]=REMOTE-BEFORE", fx.GuestSerial);
    }

    [Fact]
    public void RawVolume_PatternWrittenByGuest_IsInBackingFile()
    {
        Assert.Equal(fx.Pattern, ReadAt(fx.Path("raw.raw"), 0, fx.Pattern.Length));
        Assert.Equal(fx.Pattern, ReadAt(fx.Path("raw.raw"), MiB, fx.Pattern.Length));
    }

    [Fact]
    public async Task Qcow2Volume_PatternWrittenByGuest_IsInImage()
    {
        var raw = await ExportAsync(fx.Path("q.qcow2"));
        Assert.Equal(fx.Pattern, ReadAt(raw, 0, fx.Pattern.Length));
        Assert.Equal(fx.Pattern, ReadAt(raw, MiB, fx.Pattern.Length));
    }

    [Fact]
    public async Task CloneVolume_GuestWrites_LeaveBaseUntouched_AndCloneShowsBothLayers()
    {
        Assert.Equal(fx.BaseHashBefore, Sha256(fx.Path("base.raw")));
        var raw = await ExportAsync(fx.Path("clone.qcow2"));
        Assert.Equal(fx.Pattern, ReadAt(raw, 0, fx.Pattern.Length));          // overwritten in the clone
        Assert.Equal("BASE-AT-4MIB", ReadAt(raw, 4 * MiB, 12));                // still read from the base
    }

    [Fact]
    public void NbdVolume_GuestWritesThroughSecondDaemon_LandInRemoteFile()
    {
        Assert.Equal(fx.Pattern, ReadAt(fx.Path("remote.raw"), 0, fx.Pattern.Length));
        Assert.Equal(fx.Pattern, ReadAt(fx.Path("remote.raw"), MiB, fx.Pattern.Length));
    }
}
