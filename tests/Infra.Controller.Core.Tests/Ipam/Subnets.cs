using Infra.Controller.Domain.Validation;
using SubnetSpec = Infra.Controller.Domain.Commands.SubnetSpec;

namespace Infra.Controller.Core.Tests.Ipam;

/// <summary>Subnets for IPAM tests, made the way the API makes them: through the domain's validation.</summary>
static class Subnets
{
    public static SubnetSpec Of(string cidr, string? gateway = null, params (string First, string Last)[] ranges)
    {
        var wire = new Infra.V1.Subnet { Cidr = cidr, Gateway = gateway ?? "" };
        wire.AllocationRanges.AddRange(ranges.Select(r => new Infra.V1.AddressRange { First = r.First, Last = r.Last }));
        var v = new Violations();
        var s = SubnetValidation.Subnet(v, "subnet", wire);
        Assert.False(v.Any, $"test subnet {cidr} is invalid");
        return s!;
    }
}
