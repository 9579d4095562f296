using Infra.Agent.Core.State;
using Infra.Agent.Core.Storage;
using Infra.Agent.Storage.Images;
using Infra.Agent.Storage.Volumes;
using Infra.V1;
using static Infra.Agent.Tests.Support.Resources;
using PbVolume = Infra.V1.VolumeSpec;
using PbBackend = Infra.V1.VolumeBackend;
using PbNbd = Infra.V1.NbdBackend;
using NbdBackend = Infra.Agent.Storage.Volumes.NbdBackend;
using VolumeSpec = Infra.Agent.Storage.Volumes.VolumeSpec;

namespace Infra.Agent.Tests.Storage;

public class VolumeMappingTests
{
    private static readonly StorageLayout Layout = new([("fast", "/pools/fast"), ("slow", "/pools/slow")], "/images");

    private static DesiredSnapshot Snap(params PbVolume[] vs) => DesiredSnapshot.FromFull(Full(1, vs.Select(v => new Resource { Volume = v }).ToArray()));
    private static PbVolume Local(string id, string pool = "", DiskFormat format = DiskFormat.Unspecified, string image = "") =>
        new() { Id = id, SizeBytes = 1 << 20, BaseImageId = image, Backend = new PbBackend { Local = new LocalBackend { Pool = pool, Format = format } } };

    [Fact]
    public void Local_NewVolume_IsAQcow2FileInTheNamedOrFirstPool_CreatedAtItsSize()
    {
        var m = VolumeMapping.Map(Snap(Local("v1"), Local("v2", "slow", DiskFormat.Raw)), Layout, _ => false);
        Assert.Empty(m.Errors);
        Assert.Equal(new MappedVolume(new VolumeSpec("v1", new Qcow2Backend("/pools/fast/v1.qcow2")), 1 << 20), m.Value[0]);
        Assert.Equal(new MappedVolume(new VolumeSpec("v2", new RawFileBackend("/pools/slow/v2.raw")), 1 << 20), m.Value[1]);
    }

    [Theory]
    [InlineData("/images/img.qcow2", ImageFormat.Qcow2)]
    [InlineData("/images/img.raw", ImageFormat.Raw)]
    public void Clone_IsAnOverlayOnTheBaseImageFoundInImageDir(string present, ImageFormat format)
    {
        var m = VolumeMapping.Map(Snap(Local("v1", image: "img")), Layout, p => p == present);
        Assert.Empty(m.Errors);
        Assert.Equal(new Qcow2CloneBackend("/pools/fast/v1.qcow2", present, format), Assert.Single(m.Value).Spec.Backend);
        Assert.Equal(0, m.Value[0].CreateBytes);
    }

    [Fact]
    public void MissingImageOrPool_IsAnErrorSayingWhatIsExpected()
    {
        var m = VolumeMapping.Map(Snap(Local("v1", image: "img"), Local("v2", "nope")), Layout, _ => false);
        Assert.Empty(m.Value);
        Assert.Contains("/images/img.qcow2", m.Errors[0].Error);
        Assert.Contains("storage pool 'nope' is not configured", m.Errors[1].Error);
    }

    [Theory]
    [InlineData("nbd://192.0.2.10:10900/vol-1", null, "192.0.2.10", 10900, "vol-1")]
    [InlineData("nbd://host/vol-2", null, "host", 10809, "vol-2")]
    [InlineData("nbd+unix:///vol-3?socket=/run/x.sock", "/run/x.sock", null, 10809, "vol-3")]
    public void NbdUri_IsParsedToAnAddressAndExport(string uri, string? socket, string? host, int port, string export) =>
        Assert.Equal(new NbdBackend(new NbdAddress(socket, host, port), export), VolumeMapping.ParseNbdUri(uri));

    [Theory]
    [InlineData("http://x/y")]
    [InlineData("nbd+unix:///v")]
    [InlineData("not a uri")]
    public void BadNbdUri_IsRejected(string uri)
    {
        Assert.Null(VolumeMapping.ParseNbdUri(uri));
        var m = VolumeMapping.Map(Snap(new PbVolume { Id = "v1", Backend = new PbBackend { Nbd = new PbNbd { Uri = uri } } }), Layout, _ => false);
        Assert.Contains("NBD uri", Assert.Single(m.Errors).Error);
    }

    private static PbVolume FromSnapshot(string id, string snapshot) =>
        new() { Id = id, SourceSnapshotId = snapshot, Backend = new PbBackend { Local = new LocalBackend() } };

    [Fact]
    public void FromSnapshot_IsAnInstantCloneBackedByTheSnapshotsImage()
    {
        var image = new SnapshotImage("/pools/fast/src@s0.qcow2", ImageFormat.Qcow2);
        var m = VolumeMapping.Map(Snap(FromSnapshot("v1", "s1")), Layout, _ => false, s => s == "s1" ? image : null);
        Assert.Empty(m.Errors);
        Assert.Equal(new Qcow2CloneBackend("/pools/fast/v1.qcow2", image.Image, ImageFormat.Qcow2), Assert.Single(m.Value).Spec.Backend);
    }

    [Fact]
    public void FromSnapshot_AlreadyCloned_IsServedAsItsOwnFile_EvenWithoutTheSnapshot()
    {
        var m = VolumeMapping.Map(Snap(FromSnapshot("v1", "s1")), Layout, p => p == "/pools/fast/v1.qcow2", _ => null);
        Assert.Equal(new Qcow2Backend("/pools/fast/v1.qcow2"), Assert.Single(m.Value).Spec.Backend);
    }

    [Fact]
    public void FromSnapshot_NotOnThisHost_IsAnErrorSayingWhere()
    {
        var m = VolumeMapping.Map(Snap(FromSnapshot("v1", "s9")), Layout, _ => false, _ => null);
        Assert.Contains("snapshot s9 is not on this host", Assert.Single(m.Errors).Error);
    }
}
