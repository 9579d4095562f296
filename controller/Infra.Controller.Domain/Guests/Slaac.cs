using System.Net;
using Infra.Controller.Domain.Model;

namespace Infra.Controller.Domain.Guests;

/// <summary>
/// The address a guest forms by SLAAC (RFC 4862) from a /64 prefix and its MAC: the modified
/// EUI-64 interface id (RFC 4291 appendix A: flip the universal/local bit, insert ff:fe). IPAM
/// hands out exactly this address on /64 subnets so that the guest, its router advertisements
/// and the flows' port security agree without DHCPv6.
/// </summary>
public static class Slaac
{
    /// <summary>The prefix's first 64 bits (taken from any address inside it) joined with the MAC's interface id.</summary>
    public static IPAddress Address(IPAddress inPrefix, MacAddress mac)
    {
        var b = inPrefix.GetAddressBytes();
        if (b.Length != 16) throw new ArgumentException($"{inPrefix} is not an IPv6 address", nameof(inPrefix));
        var m = mac.Value;
        b[8] = (byte)(((m >> 40) & 0xff) ^ 0x02);
        b[9] = (byte)(m >> 32);
        b[10] = (byte)(m >> 24);
        b[11] = 0xff;
        b[12] = 0xfe;
        b[13] = (byte)(m >> 16);
        b[14] = (byte)(m >> 8);
        b[15] = (byte)m;
        return new IPAddress(b);
    }
}
