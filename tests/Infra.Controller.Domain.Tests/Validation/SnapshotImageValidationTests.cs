using Infra.Controller.Domain.Commands;
using Infra.Controller.Domain.Validation;
using Infra.V1;
using DiskFormat = Infra.V1.DiskFormat;

namespace Infra.Controller.Domain.Tests.Validation;

public class SnapshotImageValidationTests
{
    [Fact]
    public void CreateSnapshot_MapsFieldsAndReportsAllErrors()
    {
        var cmd = Expect.Valid(SnapshotValidation.Validate(new CreateSnapshotRequest { VolumeId = Ids.Volume, Name = "before-upgrade", RequestId = "r" }));
        Assert.Equal((Ids.Volume, "before-upgrade", "r"), (cmd.VolumeId, cmd.Name, cmd.RequestId));
        Expect.Fields(SnapshotValidation.Validate(new CreateSnapshotRequest { VolumeId = Ids.Snapshot, Name = "Before" }), "volume_id", "name");
    }

    [Fact]
    public void GetListDeleteSnapshot_CheckIds()
    {
        Expect.Violation(SnapshotValidation.Validate(new GetSnapshotRequest { Id = Ids.Volume }), "id", "not a snapshot id");
        Expect.Valid(SnapshotValidation.Validate(new DeleteSnapshotRequest { Id = Ids.Snapshot }));
        Expect.Fields(SnapshotValidation.Validate(new ListSnapshotsRequest { TenantId = Ids.Volume, VolumeId = Ids.Tenant }), "tenant_id", "volume_id");
    }

    [Theory]
    [InlineData(0u, 1 << 20)]
    [InlineData(4096u, 4096)]
    [InlineData(4u << 20, 4 << 20)]
    [InlineData(65536u, 65536)]
    public void Export_ChunkSizeDefaultsToOneMiB(uint requested, int expected)
    {
        var cmd = Expect.Valid(SnapshotValidation.Validate(new ExportVolumeRequest { SnapshotId = Ids.Snapshot, ChunkSize = requested }));
        Assert.Equal(expected, cmd.ChunkSize);
        Assert.Equal(Ids.Snapshot, Assert.IsType<ExportSource.Snapshot>(cmd.Source).SnapshotId);
    }

    [Theory]
    [InlineData(4095u)]
    [InlineData(5000u)]
    [InlineData((4u << 20) + 4096)]
    public void Export_ChunkSizeOutOfRangeOrUnaligned_IsReported(uint size) =>
        Expect.Violation(SnapshotValidation.Validate(new ExportVolumeRequest { VolumeId = Ids.Volume, ChunkSize = size }), "chunk_size", "multiple of 4096");

    [Fact]
    public void Export_NeedsASource()
    {
        Expect.Violation(SnapshotValidation.Validate(new ExportVolumeRequest()), "volume_id", "set volume_id or snapshot_id");
        Assert.IsType<ExportSource.Volume>(Expect.Valid(SnapshotValidation.Validate(new ExportVolumeRequest { VolumeId = Ids.Volume })).Source);
    }

    const string Sha = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855";

    [Fact]
    public void ImportHeader_WhenValid_NormalizesHash()
    {
        var header = new ImportImageHeader { Name = "debian-12", Format = DiskFormat.Qcow2, SizeBytes = 1 << 30, Sha256 = Sha, TenantId = Ids.Tenant };
        var cmd = Expect.Valid(ImageValidation.ValidateFirst(new ImportImageRequest { Header = header }));
        Assert.Equal(Sha.ToLowerInvariant(), cmd.Sha256);
        Assert.Equal(Infra.Controller.Domain.Model.DiskFormat.Qcow2, cmd.Format);
        Assert.Equal(1UL << 30, cmd.SizeBytes);
    }

    [Fact]
    public void ImportHeader_PublicImageWithUnknownFormatAndSize()
    {
        var cmd = Expect.Valid(ImageValidation.Validate(new ImportImageHeader { Name = "cirros" }));
        Assert.Null(cmd.TenantId);
        Assert.Null(cmd.Format);
        Assert.Null(cmd.SizeBytes);
        Assert.Null(cmd.Sha256);
    }

    [Fact]
    public void ImportStream_MustStartWithHeader() =>
        Expect.Violation(ImageValidation.ValidateFirst(new ImportImageRequest { Data = Google.Protobuf.ByteString.CopyFrom(1, 2) }), "header", "first message");

    [Theory]
    [InlineData("abc", "got 3 characters")]
    [InlineData("zz" + "0000000000000000000000000000000000000000000000000000000000000000", "64 hex digits")]
    [InlineData("g000000000000000000000000000000000000000000000000000000000000000", "non-hex")]
    public void ImportHeader_BadHash_IsReported(string sha, string fragment) =>
        Expect.Violation(ImageValidation.Validate(new ImportImageHeader { Name = "x", Sha256 = sha }), "sha256", fragment);

    [Fact]
    public void ImportHeader_WithManyBadFields_ReportsAllAtOnce() =>
        Expect.Fields(ImageValidation.Validate(new ImportImageHeader
        {
            Name = "", TenantId = "t", Format = (DiskFormat)9, SizeBytes = ulong.MaxValue, Sha256 = "x", RequestId = new string('r', 300),
        }), "name", "tenant_id", "format", "size_bytes", "sha256", "request_id");

    [Fact]
    public void GetListDeleteImage_CheckIds()
    {
        Expect.Violation(ImageValidation.Validate(new GetImageRequest { Id = Ids.Snapshot }), "id", "not an image id");
        Expect.Valid(ImageValidation.Validate(new DeleteImageRequest { Id = Ids.Image }));
        Expect.Valid(ImageValidation.Validate(new ListImagesRequest()));
    }
}
