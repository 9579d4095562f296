using Infra.Controller.Domain.Commands;
using Infra.Controller.Domain.Validation;
using Infra.V1;

namespace Infra.Controller.Domain.Tests.Validation;

public class InstanceActionValidationTests
{
    [Fact]
    public void IdOnlyActions_MapToTheirCommands()
    {
        var request = new InstanceActionRequest { Id = Ids.Instance };
        Assert.Equal(new StartInstance(Ids.Instance), Expect.Valid(InstanceActionValidation.Start(request)));
        Assert.Equal(new PauseInstance(Ids.Instance), Expect.Valid(InstanceActionValidation.Pause(request)));
        Assert.Equal(new ResumeInstance(Ids.Instance), Expect.Valid(InstanceActionValidation.Resume(request)));
        Expect.Violation(InstanceActionValidation.Start(new InstanceActionRequest { Id = Ids.Volume }), "id", "not an instance id");
    }

    [Theory]
    [InlineData(false, 0u, 60)]
    [InlineData(false, 1u, 1)]
    [InlineData(false, 3600u, 3600)]
    [InlineData(true, 0u, 0)]
    public void Stop_TimeoutDefaultsToSixtySeconds(bool force, uint seconds, int expected)
    {
        var cmd = Expect.Valid(InstanceActionValidation.Validate(new StopInstanceRequest { Id = Ids.Instance, Force = force, TimeoutSeconds = seconds }));
        Assert.Equal(TimeSpan.FromSeconds(expected), cmd.Timeout);
        Assert.Equal(force, cmd.Force);
    }

    [Theory]
    [InlineData(false, 3601u, "at most 3600")]
    [InlineData(true, 30u, "powers off at once")]
    public void Stop_WhenTimeoutOutOfRangeOrForced_IsReported(bool force, uint seconds, string fragment) =>
        Expect.Violation(InstanceActionValidation.Validate(new StopInstanceRequest { Id = Ids.Instance, Force = force, TimeoutSeconds = seconds }), "timeout_seconds", fragment);

    [Fact]
    public void Reboot_KeepsForce() =>
        Assert.True(Expect.Valid(InstanceActionValidation.Validate(new RebootInstanceRequest { Id = Ids.Instance, Force = true })).Force);

    [Fact]
    public void Resize_ZeroMeansUnchanged()
    {
        var cmd = Expect.Valid(InstanceActionValidation.Validate(new ResizeInstanceRequest { Id = Ids.Instance, CpuMhz = 3000 }));
        Assert.Equal(new ResizeInstance(Ids.Instance, 3000, null, null), cmd);
        Assert.False(cmd.NeedsStop);
        Assert.True(Expect.Valid(InstanceActionValidation.Validate(new ResizeInstanceRequest { Id = Ids.Instance, MemoryMib = 4096 })).NeedsStop);
    }

    [Theory]
    [InlineData(0u, 0u, 0ul, "cpu_mhz", "nothing to change")]
    [InlineData(99u, 0u, 0ul, "cpu_mhz", "at least 100")]
    [InlineData(0u, 300u, 0ul, "vcpus", "1-256")]
    [InlineData(0u, 0u, 32ul, "memory_mib", "64-4194304")]
    [InlineData(0u, 0u, 1023ul, "memory_mib", "multiple of 2")]
    [InlineData(30_000u, 2u, 0ul, "cpu_mhz", "cannot be used by 2 vCPU(s)")]
    public void Resize_WhenOutOfRange_IsReported(uint mhz, uint vcpus, ulong memory, string field, string fragment) =>
        Expect.Violation(InstanceActionValidation.Validate(new ResizeInstanceRequest { Id = Ids.Instance, CpuMhz = mhz, Vcpus = vcpus, MemoryMib = memory }), field, fragment);

    [Fact]
    public void Resize_AgainstCurrentSize_ChecksPlausibilityOfTheResult()
    {
        var current = new InstanceSize(2, 4000, 4096);
        var v = new Violations();
        Assert.Equal(new InstanceSize(2, 8000, 4096), SizingValidation.Apply(v, current, new ResizeInstance(Ids.Instance, 8000, null, null)));
        Assert.False(v.Any);
        SizingValidation.Apply(v, current, new ResizeInstance(Ids.Instance, 25_000, null, null));
        Assert.Equal("cpu_mhz", Assert.Single(v.ToImmutable()).Field);
        var shrink = new Violations();
        SizingValidation.Apply(shrink, new InstanceSize(4, 40_000, 4096), new ResizeInstance(Ids.Instance, null, 1, null));
        Assert.Equal("vcpus", Assert.Single(shrink.ToImmutable()).Field);
    }

    [Fact]
    public void AttachDetach_NeedBothIds()
    {
        Expect.Fields(InstanceActionValidation.Validate(new AttachVolumeRequest()), "id", "volume_id");
        Assert.Equal(new DetachVolume(Ids.Instance, Ids.Volume), Expect.Valid(InstanceActionValidation.Validate(new DetachVolumeRequest { Id = Ids.Instance, VolumeId = Ids.Volume })));
        Expect.Violation(InstanceActionValidation.Validate(new DetachVolumeRequest { Id = Ids.Instance, VolumeId = Ids.Snapshot }), "volume_id", "not a volume id");
    }

    [Fact]
    public void Snapshot_NamePrefixLeavesRoomForSuffix()
    {
        var cmd = Expect.Valid(InstanceActionValidation.Validate(new SnapshotInstanceRequest { Id = Ids.Instance, Name = "nightly", RequireQuiesce = true, RequestId = "r1" }));
        Assert.Equal(new SnapshotInstance(Ids.Instance, "nightly", true, "r1"), cmd);
        Expect.Violation(InstanceActionValidation.Validate(new SnapshotInstanceRequest { Id = Ids.Instance, Name = new string('n', 32) }), "name", "at most 31");
        Expect.Violation(InstanceActionValidation.Validate(new SnapshotInstanceRequest { Id = Ids.Instance }), "name", "is required");
    }

    [Fact]
    public void Delete_KeepsBootVolumeFlag() =>
        Assert.True(Expect.Valid(InstanceActionValidation.Validate(new DeleteInstanceRequest { Id = Ids.Instance, DeleteBootVolume = true })).DeleteBootVolume);
}
