using Infra.Controller.Domain.Commands;
using Infra.Controller.Domain.Validation;
using Infra.V1;
using DiskFormat = Infra.V1.DiskFormat;
using VolumeBackend = Infra.V1.VolumeBackend;

namespace Infra.Controller.Domain.Tests.Validation;

public class VolumeValidationTests
{
    static CreateVolumeRequest Valid() => new()
    {
        TenantId = Ids.Tenant, Name = "data", SizeGib = 100,
        Backend = new VolumeBackend { Local = new LocalBackend { Pool = "ssd", Format = DiskFormat.Raw } },
    };

    [Fact]
    public void Create_WhenValid_ConvertsGibToBytes()
    {
        var cmd = Expect.Valid(VolumeValidation.Validate(Valid()));
        Assert.Equal(100UL << 30, cmd.SizeBytes);
        Assert.Equal(new Commands.VolumeBackend.Local("ssd", Infra.Controller.Domain.Model.DiskFormat.Raw), cmd.Backend);
        Assert.IsType<VolumeSource.Empty>(cmd.Source);
    }

    [Fact]
    public void Create_FromImageWithoutSize_TakesTheSourceSizeAndDefaultBackend()
    {
        var cmd = Expect.Valid(VolumeValidation.Validate(new CreateVolumeRequest { TenantId = Ids.Tenant, Name = "root", ImageId = Ids.Image }));
        Assert.Null(cmd.SizeBytes);
        Assert.Equal(Commands.VolumeBackend.Default, cmd.Backend);
        Assert.Equal(Ids.Image, Assert.IsType<VolumeSource.Image>(cmd.Source).ImageId);
    }

    [Theory]
    [InlineData("nbd://192.0.2.10:10809/vol-1")]
    [InlineData("nbd+tcp://storage.example.net/export")]
    [InlineData("nbd+unix:///vol-1?socket=/run/x.sock")]
    public void Create_NbdBackend_AcceptsQemuUriForms(string uri)
    {
        var r = Valid();
        r.Backend = new VolumeBackend { Nbd = new NbdBackend { Uri = uri } };
        Assert.Equal(uri, Assert.IsType<Commands.VolumeBackend.Nbd>(Expect.Valid(VolumeValidation.Validate(r)).Backend).Uri.OriginalString);
    }

    static readonly Dictionary<string, (Action<CreateVolumeRequest> Mutate, string Field, string Fragment)> Cases = new()
    {
        ["size missing"] = (r => r.SizeGib = 0, "size_gib", "is required for an empty volume"),
        ["size too big"] = (r => r.SizeGib = 65537, "size_gib", "at most 65536"),
        ["pool bad"] = (r => r.Backend.Local.Pool = "SSD", "backend.local.pool", "only a-z"),
        ["format unknown"] = (r => r.Backend.Local.Format = (DiskFormat)5, "backend.local.format", "not a known value"),
        ["nbd http"] = (r => r.Backend = new VolumeBackend { Nbd = new NbdBackend { Uri = "http://x/y" } }, "backend.nbd.uri", "not an NBD URI"),
        ["nbd empty"] = (r => r.Backend = new VolumeBackend { Nbd = new NbdBackend() }, "backend.nbd.uri", "is required"),
        ["nbd unix without socket"] = (r => r.Backend = new VolumeBackend { Nbd = new NbdBackend { Uri = "nbd+unix:///vol" } }, "backend.nbd.uri", "?socket="),
        ["image clone raw"] = (r => r.ImageId = Ids.Image, "backend.local.format", "QCOW2 overlay"),
        ["image clone nbd"] = (r => { r.ImageId = Ids.Image; r.Backend = new VolumeBackend { Nbd = new NbdBackend { Uri = "nbd://h/e" } }; }, "backend.nbd", "use a local backend"),
        ["snapshot bad id"] = (r => r.SnapshotId = Ids.Volume, "snapshot_id", "not a snapshot id"),
        ["tenant missing"] = (r => r.TenantId = "", "tenant_id", "is required"),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Create_WhenOneFieldIsBad_ReportsItsPath(string name)
    {
        var (mutate, field, fragment) = Cases[name];
        var r = Valid();
        mutate(r);
        var result = VolumeValidation.Validate(r);
        Expect.Violation(result, field, fragment);
        Assert.All(result.Violations, v => Assert.Equal(field, v.Field));
    }

    [Fact]
    public void Create_WithManyBadFields_ReportsAllAtOnce()
    {
        var r = Valid();
        r.Name = "";
        r.SizeGib = 0;
        r.Backend.Local.Pool = "-";
        r.RequestId = "a b";
        Expect.Fields(VolumeValidation.Validate(r), "name", "size_gib", "backend.local.pool", "request_id");
    }

    [Theory]
    [InlineData(0ul, false)]
    [InlineData(1ul, true)]
    [InlineData(65536ul, true)]
    [InlineData(65537ul, false)]
    public void Resize_SizeMustBeInRange(ulong gib, bool ok) =>
        Assert.Equal(ok, VolumeValidation.Validate(new ResizeVolumeRequest { Id = Ids.Volume, SizeGib = gib }).IsValid);

    [Fact]
    public void Resize_NeverShrinks()
    {
        var cmd = Expect.Valid(VolumeValidation.Validate(new ResizeVolumeRequest { Id = Ids.Volume, SizeGib = 10 }));
        Assert.Null(VolumeValidation.CheckGrow(cmd, 5UL << 30));
        var refusal = VolumeValidation.CheckGrow(cmd, 10UL << 30);
        Assert.NotNull(refusal);
        Assert.Equal("VOLUME_SHRINK", refusal.Type);
        Assert.Contains("only grow", refusal.Description);
    }

    [Fact]
    public void GetListDelete_CheckIds()
    {
        Expect.Violation(VolumeValidation.Validate(new GetVolumeRequest { Id = Ids.Image }), "id", "not a volume id");
        Assert.True(Expect.Valid(VolumeValidation.Validate(new DeleteVolumeRequest { Id = Ids.Volume, Cascade = true })).Cascade);
        Expect.Valid(VolumeValidation.Validate(new ListVolumesRequest { TenantId = Ids.Tenant }));
    }
}
