using Infra.Controller.Domain.Errors;
using Infra.Controller.Domain.Model;
using Wire = Infra.V1;

namespace Infra.Controller.Domain.Tests.Model;

public class WireMappingTests
{
    [Fact]
    public void InstanceState_RoundTripsAndNamesMatch()
    {
        foreach (var state in Enum.GetValues<InstanceState>())
        {
            var wire = WireMapping.ToWire(state);
            Assert.Equal(state.ToString(), wire.ToString());
            Assert.Equal(state, WireMapping.FromWire(wire));
        }
        Assert.Null(WireMapping.FromWire(Wire.InstanceState.Unspecified));
        Assert.Null(WireMapping.FromWire((Wire.InstanceState)42));
    }

    [Fact]
    public void PowerState_RoundTrips()
    {
        foreach (var power in Enum.GetValues<PowerState>())
            Assert.Equal(power, WireMapping.PowerFromWire(WireMapping.ToWire(power)));
        Assert.Null(WireMapping.PowerFromWire(Wire.InstanceState.Starting));
    }

    [Fact]
    public void OtherEnums_MapByName()
    {
        foreach (var state in Enum.GetValues<HostState>())
            Assert.Equal(state.ToString(), WireMapping.ToWire(state).ToString());
        foreach (var kind in Enum.GetValues<ResourceKind>())
            Assert.Equal(kind.ToString(), ((Wire.ResourceKind)((int)kind + 1)).ToString());
        foreach (var p in Enum.GetValues<Protocol>())
            Assert.Equal(p.ToString().ToLowerInvariant(), ((Wire.Protocol)(int)p).ToString().ToLowerInvariant());
        Assert.Equal(Wire.IpVersion._6, WireMapping.ToWire(IpVersion.V6));
        Assert.Equal(Wire.IpVersion.Unspecified, WireMapping.ToWire((IpVersion?)null));
        Assert.Equal(Wire.DiskFormat.Qcow2, WireMapping.ToWire(DiskFormat.Qcow2));
    }

    [Theory]
    [InlineData(null, 5L, false)]
    [InlineData(5L, 5L, false)]
    [InlineData(4L, 5L, true)]
    public void Revisions_Check_AbortsOnlyOnMismatch(long? expected, long actual, bool aborts)
    {
        var result = Revisions.Check("Port", Ids.Port, expected, actual);
        Assert.Equal(aborts, result is not null);
        if (result is not null) Assert.Equal((4L, 5L), (result.ExpectedRevision, result.ActualRevision));
    }
}
