using System.Net;
using Infra.Controller.Domain.Model;
using SubnetSpec = Infra.Controller.Domain.Commands.SubnetSpec;

namespace Infra.Controller.Core.Ipam;

/// <summary>Addresses as offsets from the subnet base, in UInt128 so IPv4 and IPv6 share one code path.</summary>
internal static class AddressMath
{
    // The integer conversion is the domain's (IpMath), so validation and IPAM agree on what an address is.
    public static UInt128 ToNumber(IPAddress a) => IpMath.ToInt(a);

    public static IPAddress FromNumber(UInt128 v, bool v4) => IpMath.FromInt(v, v4 ? IpVersion.V4 : IpVersion.V6);

    /// <summary>Number of addresses in the subnet (saturates at UInt128.MaxValue for a /0 v6).</summary>
    public static UInt128 Size(SubnetSpec s) => s.HostBits >= 128 ? UInt128.MaxValue : UInt128.One << s.HostBits;

    public static IPAddress At(SubnetSpec s, UInt128 offset) => FromNumber(s.Cidr.First + offset, s.IsV4);
}
