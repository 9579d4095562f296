using Infra.Store;
using Infra.Controller.Model.Store;
using System.Buffers.Binary;
using System.Security.Cryptography;
using Infra.Controller.Api.Tests.Support;
using Grpc.Core;
using Infra.V1;
using static Infra.Controller.Api.Tests.Support.Fixtures;

namespace Infra.Controller.Api.Tests;

public sealed class VolumesImagesHostsTests : IAsyncLifetime
{
    ApiServer s = null!;
    public async Task InitializeAsync() => s = await ApiServer.StartAsync();
    public async Task DisposeAsync() => await s.DisposeAsync();

    [Fact]
    public async Task ImportImage_Qcow2DetectedByMagic_StoredOnDisk_Sha256Checked()
    {
        var data = new byte[200_000];
        Random.Shared.NextBytes(data);
        new byte[] { 0x51, 0x46, 0x49, 0xfb }.CopyTo(data, 0);
        // A self-contained version 3 header: no backing file (offset 8, size 16), no incompatible features (72).
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(4), 3);
        data.AsSpan(8, 12).Clear();
        data.AsSpan(72, 8).Clear();
        BinaryPrimitives.WriteUInt64BigEndian(data.AsSpan(24), 10UL << 30);
        var sha = Convert.ToHexStringLower(SHA256.HashData(data));
        var image = await ImportAsync(s, "q", data, sha: sha);
        Assert.Equal(DiskFormat.Qcow2, image.Format);
        Assert.Equal(10UL << 30, image.VirtualSizeBytes);
        Assert.Equal((ulong)data.Length, image.SizeBytes);
        Assert.Equal(sha, image.Sha256);
        Assert.Equal(data, await File.ReadAllBytesAsync(Path.Combine(s.Dir, "images", image.Meta.Id + ".qcow2")));
        var raw = await ImportAsync(s, "r", new byte[1000]);
        Assert.Equal(DiskFormat.Raw, raw.Format);
        Assert.Equal(1000UL, raw.VirtualSizeBytes);
        await s.Images.DeleteImageAsync(new DeleteImageRequest { Id = image.Meta.Id });
        Assert.False(File.Exists(Path.Combine(s.Dir, "images", image.Meta.Id + ".qcow2")));
    }

    [Fact]
    public async Task DeleteImage_WhileAVolumeIsClonedFromIt_ImageInUseNamingTheVolume_AfterTheVolumeGoesItDeletes()
    {
        var t = await TenantAsync(s, "t");
        var image = await ImportAsync(s, "base", new byte[1000]);
        var clone = await s.Volumes.CreateVolumeAsync(new CreateVolumeRequest { TenantId = t.Meta.Id, Name = "c", ImageId = image.Meta.Id });

        var e = await FailsAsync(StatusCode.FailedPrecondition, () => s.Images.DeleteImageAsync(new DeleteImageRequest { Id = image.Meta.Id }).ResponseAsync);
        Assert.Equal("IMAGE_IN_USE", Details(e).Details.Single().Unpack<Google.Rpc.PreconditionFailure>().Violations[0].Type);
        Assert.Contains(clone.Meta.Id, e.Status.Detail);
        Assert.Contains("delete those volumes first", e.Status.Detail);
        Assert.True(File.Exists(Path.Combine(s.Dir, "images", image.Meta.Id + ".raw")));

        await s.Volumes.DeleteVolumeAsync(new DeleteVolumeRequest { Id = clone.Meta.Id });
        await s.Images.DeleteImageAsync(new DeleteImageRequest { Id = image.Meta.Id });
        Assert.Empty((await s.Images.ListImagesAsync(new ListImagesRequest())).Images);
    }

    [Fact]
    public async Task ImportImage_WrongSha256_DataLoss_NothingStored()
    {
        var e = await FailsAsync(StatusCode.DataLoss, () => ImportAsync(s, "bad", new byte[100], sha: new string('a', 64)));
        Assert.Contains("SHA-256", e.Status.Detail);
        Assert.Empty((await s.Images.ListImagesAsync(new ListImagesRequest())).Images);
        Assert.Empty(Directory.GetFiles(Path.Combine(s.Dir, "images")));
    }

    [Fact]
    public async Task ImportImage_InvalidHeader_AllFieldsAtOnce()
    {
        using var call = s.Images.ImportImage();
        await call.RequestStream.WriteAsync(new ImportImageRequest { Header = new ImportImageHeader { Name = "", TenantId = "x", Sha256 = "zz" } });
        await call.RequestStream.CompleteAsync();
        var e = await FailsAsync(StatusCode.InvalidArgument, async () => await call);
        var fields = BadFields(e);
        Assert.Contains("name", fields);
        Assert.Contains("tenant_id", fields);
        Assert.Contains("sha256", fields);
    }

    [Fact]
    public async Task Volumes_CreateResizeDelete_WithPreconditions_UnplacedCannotSnapshotOrExport()
    {
        var t = await TenantAsync(s, "t");
        var v = await s.Volumes.CreateVolumeAsync(new CreateVolumeRequest { TenantId = t.Meta.Id, Name = "v", SizeGib = 1, RequestId = "v1" });
        Assert.Equal(v.Meta.Id, (await s.Volumes.CreateVolumeAsync(new CreateVolumeRequest { TenantId = t.Meta.Id, Name = "v", SizeGib = 1, RequestId = "v1" })).Meta.Id);
        await FailsAsync(StatusCode.AlreadyExists, () => s.Volumes.CreateVolumeAsync(new CreateVolumeRequest { TenantId = t.Meta.Id, Name = "v", SizeGib = 1 }).ResponseAsync);
        var grown = await s.Volumes.ResizeVolumeAsync(new ResizeVolumeRequest { Id = v.Meta.Id, SizeGib = 3 });
        Assert.Equal(3UL << 30, grown.SizeBytes);
        await FailsAsync(StatusCode.FailedPrecondition, () => s.Volumes.ResizeVolumeAsync(new ResizeVolumeRequest { Id = v.Meta.Id, SizeGib = 2 }).ResponseAsync);
        // A volume on no host has no data to snapshot or export (AgentCommandsTests covers placed ones).
        var e = await FailsAsync(StatusCode.FailedPrecondition, () => s.Volumes.CreateSnapshotAsync(new CreateSnapshotRequest { VolumeId = v.Meta.Id, Name = "s" }).ResponseAsync);
        Assert.Contains("not on any host", e.Status.Detail);
        await FailsAsync(StatusCode.FailedPrecondition, async () =>
        {
            using var call = s.Volumes.ExportVolume(new ExportVolumeRequest { VolumeId = v.Meta.Id });
            await foreach (var _ in call.ResponseStream.ReadAllAsync()) { }
        });
        await s.Volumes.DeleteVolumeAsync(new DeleteVolumeRequest { Id = v.Meta.Id });
        var bad = await FailsAsync(StatusCode.InvalidArgument, () => s.Volumes.CreateVolumeAsync(new CreateVolumeRequest { TenantId = "x", Name = "" }).ResponseAsync);
        Assert.True(BadFields(bad).Count >= 3, string.Join(",", BadFields(bad)));
    }

    [Fact]
    public async Task Hosts_CordonBlocksPlacement_DrainDryRunListsMovesAndBlockers_RealDrainMoves()
    {
        var t = await TenantAsync(s, "t");
        var n = await NetworkAsync(s, t.Meta.Id, "n", "10.0.0.0/24");
        var img = await ImportAsync(s, "i", new byte[512]);
        await RegisterHostAsync(s, "a", memoryMib: 8192);
        await RegisterHostAsync(s, "b", memoryMib: 4096);
        await s.Hosts.CordonHostAsync(new CordonHostRequest { Id = "b", Reason = "maintenance" });
        CreateInstanceRequest Vm(string name, ulong mem) => new()
        {
            TenantId = t.Meta.Id, Name = name, Vcpus = 1, CpuMhz = 500, MemoryMib = mem,
            Boot = new BootSource { ImageId = img.Meta.Id, SizeGib = 1 },
        };
        var small = await s.Instances.CreateInstanceAsync(Vm("small", 1024));
        var large = await s.Instances.CreateInstanceAsync(Vm("large", 4096));
        Assert.Equal("a", small.HostId);
        Assert.Equal("a", large.HostId);
        await s.Hosts.UncordonHostAsync(new UncordonHostRequest { Id = "b" });

        var dry = await s.Hosts.DrainHostAsync(new DrainHostRequest { Id = "a", DryRun = true });
        Assert.Equal([small.Meta.Id], dry.Moves.Select(m => m.InstanceId));
        Assert.Equal("b", dry.Moves[0].TargetHostId);
        Assert.Equal(large.Meta.Id, dry.Blockers.Single().InstanceId);
        Assert.Contains("memory", dry.Blockers[0].Reason);
        Assert.Equal("a", (await s.Instances.GetInstanceAsync(new GetInstanceRequest { Id = small.Meta.Id })).HostId);

        var real = await s.Hosts.DrainHostAsync(new DrainHostRequest { Id = "a" });
        Assert.Single(real.Moves);
        Assert.True((await s.Hosts.GetHostAsync(new GetHostRequest { Id = "a" })).Cordoned);
        Assert.Equal("b", (await s.Instances.GetInstanceAsync(new GetInstanceRequest { Id = small.Meta.Id })).HostId);
        Assert.NotNull(await s.Store.GetAsync(StoreLayout.VmTombstone("a", small.Meta.Id))); // the source removes its copy
        Assert.Equal(1024UL, (await s.Hosts.GetHostAsync(new GetHostRequest { Id = "b" })).Allocated.MemoryMib);

        var updated = await s.Hosts.UpdateHostAsync(new UpdateHostRequest { Id = "b", Overcommit = new Overcommit { CpuRatio = 2, MemoryRatio = 1.5, MemoryReserveMib = 512 } });
        Assert.Equal(1.5, updated.Overcommit.MemoryRatio);
        Assert.Equal(2, (await s.Hosts.ListHostsAsync(new ListHostsRequest())).Hosts.Count);
        await FailsAsync(StatusCode.NotFound, () => s.Hosts.GetHostAsync(new GetHostRequest { Id = "nope" }).ResponseAsync);
    }
}
