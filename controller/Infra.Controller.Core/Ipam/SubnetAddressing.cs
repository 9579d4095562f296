using System.Net;
using Infra.Controller.Domain.Model;
using SubnetSpec = Infra.Controller.Domain.Commands.SubnetSpec;

namespace Infra.Controller.Core.Ipam;

/// <summary>
/// What IPAM asks of a subnet, on the domain's own validated <see cref="SubnetSpec"/>: the API, the
/// validation and IPAM share one subnet type, so an address the domain accepts is one IPAM can
/// hand out. IPv4 never hands out the network and broadcast addresses; IPv6 never hands out the
/// subnet-router anycast address (host part all zeros) nor, in subnets of at least 256 addresses,
/// the top 128 (reserved anycast, RFC 2526). The gateway is never handed out.
/// <para>Allocation ranges, when given, limit what IPAM picks on its own; an address a user asks
/// for explicitly may lie outside them, as long as it is assignable.</para>
/// </summary>
public static class SubnetAddressing
{
    extension(SubnetSpec s)
    {
        public bool IsV4 => s.Cidr.Version == IpVersion.V4;
        public int HostBits => s.Cidr.Bits - s.Cidr.PrefixLength;

        /// <summary>May IPAM pick this address on its own: inside an allocation range, if there are any?</summary>
        public bool InRanges(IPAddress address)
        {
            if (s.AllocationRanges.IsDefaultOrEmpty) return true;
            var n = AddressMath.ToNumber(address);
            foreach (var r in s.AllocationRanges)
                if (n >= AddressMath.ToNumber(r.First) && n <= AddressMath.ToNumber(r.Last)) return true;
            return false;
        }

        /// <summary>May this address be handed out to a port?</summary>
        public bool IsAssignable(IPAddress address)
        {
            if (!s.Cidr.Contains(address)) return false; // also false for the other family
            var offset = AddressMath.ToNumber(address) - s.Cidr.First;
            var size = AddressMath.Size(s);
            if (offset == 0) return false; // v4 network address, v6 subnet-router anycast
            if (s.IsV4 && offset == size - 1) return false; // broadcast
            if (!s.IsV4 && s.HostBits >= 8 && offset >= size - 128) return false; // RFC 2526 anycast
            return s.Gateway is null || !s.Gateway.Equals(address);
        }
    }
}
