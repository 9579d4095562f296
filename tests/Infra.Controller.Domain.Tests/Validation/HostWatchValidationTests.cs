using Infra.Controller.Domain.Commands;
using Infra.Controller.Domain.Validation;
using Infra.V1;
using Dom = Infra.Controller.Domain.Model;

namespace Infra.Controller.Domain.Tests.Validation;

public class HostWatchValidationTests
{
    [Fact]
    public void UpdateHost_ZeroRatiosMeanDefaults()
    {
        var cmd = Expect.Valid(HostValidation.Validate(new UpdateHostRequest { Id = "hv-12", Overcommit = new Overcommit() }));
        Assert.Equal(new OvercommitSpec(1.0, 1.0, 1024), cmd.Overcommit);
        Assert.Null(cmd.Labels);
    }

    [Theory]
    [InlineData(1.0, 1.0, 256ul)]
    [InlineData(16.0, 4.0, 1048576ul)]
    [InlineData(4.5, 1.5, 2048ul)]
    public void UpdateHost_RatiosWithinLimits_AreKept(double cpu, double memory, ulong reserve)
    {
        var cmd = Expect.Valid(HostValidation.Validate(new UpdateHostRequest { Id = "hv-12", Overcommit = new Overcommit { CpuRatio = cpu, MemoryRatio = memory, MemoryReserveMib = reserve } }));
        Assert.Equal(new OvercommitSpec(cpu, memory, (long)reserve), cmd.Overcommit);
    }

    [Theory]
    [InlineData(0.5, 1.0, 0ul, "overcommit.cpu_ratio")]
    [InlineData(16.01, 1.0, 0ul, "overcommit.cpu_ratio")]
    [InlineData(double.NaN, 1.0, 0ul, "overcommit.cpu_ratio")]
    [InlineData(double.PositiveInfinity, 1.0, 0ul, "overcommit.cpu_ratio")]
    [InlineData(1.0, 0.9, 0ul, "overcommit.memory_ratio")]
    [InlineData(1.0, 4.5, 0ul, "overcommit.memory_ratio")]
    [InlineData(1.0, 1.0, 255ul, "overcommit.memory_reserve_mib")]
    [InlineData(1.0, 1.0, 1048577ul, "overcommit.memory_reserve_mib")]
    public void UpdateHost_OutOfRange_IsReported(double cpu, double memory, ulong reserve, string field)
    {
        var result = HostValidation.Validate(new UpdateHostRequest { Id = "hv-12", Overcommit = new Overcommit { CpuRatio = cpu, MemoryRatio = memory, MemoryReserveMib = reserve } });
        Expect.Violation(result, field);
        Assert.All(result.Violations, v => Assert.Equal(field, v.Field));
    }

    [Fact]
    public void UpdateHost_WithManyBadFields_ReportsAllAtOnce() =>
        Expect.Fields(HostValidation.Validate(new UpdateHostRequest
        {
            Id = "-hv", Overcommit = new Overcommit { CpuRatio = 20, MemoryRatio = -1, MemoryReserveMib = 1 }, Labels = { ["k"] = "v" },
        }), "id", "overcommit.cpu_ratio", "overcommit.memory_ratio", "overcommit.memory_reserve_mib", "set_labels");

    [Fact]
    public void UpdateHost_WithNothingToChange_IsReported() =>
        Expect.Violation(HostValidation.Validate(new UpdateHostRequest { Id = "hv-12" }), "overcommit", "nothing to change");

    [Theory]
    [InlineData(HostState.Unspecified, null)]
    [InlineData(HostState.Up, Dom.HostState.Up)]
    [InlineData(HostState.Maintenance, Dom.HostState.Maintenance)]
    public void ListHosts_MapsStateFilter(HostState state, Dom.HostState? expected) =>
        Assert.Equal(expected, Expect.Valid(HostValidation.Validate(new ListHostsRequest { State = state })).State);

    [Fact]
    public void HostActions_CheckHostIds()
    {
        Assert.Equal(new CordonHost("hv-12", "disk swap"), Expect.Valid(HostValidation.Validate(new CordonHostRequest { Id = "hv-12", Reason = "disk swap" })));
        Expect.Violation(HostValidation.Validate(new CordonHostRequest { Id = "hv-12", Reason = new string('r', 256) }), "reason", "at most 255");
        Assert.True(Expect.Valid(HostValidation.Validate(new DrainHostRequest { Id = "hv-12", DryRun = true })).DryRun);
        Expect.Violation(HostValidation.Validate(new UncordonHostRequest { Id = "" }), "id", "is required");
        Expect.Violation(HostValidation.Validate(new GetHostRequest { Id = "hv 12" }), "id", "not a host id");
        Expect.Violation(HostValidation.Validate(new ListHostsRequest { State = (HostState)42 }), "state", "not a known value");
    }

    [Fact]
    public void Watch_MapsKindsAndRevision()
    {
        var cmd = Expect.Valid(WatchValidation.Validate(new WatchRequest { StartRevision = 42, Kinds = { ResourceKind.Network, ResourceKind.Host }, TenantId = Ids.Tenant }));
        Assert.Equal(42, cmd.StartRevision);
        Assert.Equal([Dom.ResourceKind.Network, Dom.ResourceKind.Host], cmd.Kinds.ToArray());
        Assert.Empty(Expect.Valid(WatchValidation.Validate(new WatchRequest())).Kinds);
    }

    [Fact]
    public void Watch_WithManyBadFields_ReportsAllAtOnce() =>
        Expect.Fields(WatchValidation.Validate(new WatchRequest
        {
            StartRevision = -1, Kinds = { ResourceKind.Unspecified, ResourceKind.Port, ResourceKind.Port, (ResourceKind)99 }, TenantId = "x",
        }), "start_revision", "kinds[0]", "kinds[2]", "kinds[3]", "tenant_id");
}
