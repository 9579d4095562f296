using System.Net;
using System.Net.Sockets;

namespace Infra.Controller.Domain.Model;

/// <summary>IP version of a subnet, address or rule, as the domain sees it.</summary>
public enum IpVersion { V4 = 4, V6 = 6 }

/// <summary>Address parsing and integer conversion shared by CIDRs, ranges and fixed IPs.</summary>
public static class IpMath
{
    public static IpVersion VersionOf(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork ? IpVersion.V4 : IpVersion.V6;

    /// <summary>
    /// Strict parse: IPAddress.TryParse also accepts "10", "10.1" and "0x0a.0.0.1" (inet_aton forms)
    /// and IPv6 scope ids; an API must not guess what those mean, so only dotted quads and plain IPv6.
    /// </summary>
    public static bool TryParseAddress(string text, out IPAddress address)
    {
        address = IPAddress.None;
        if (string.IsNullOrEmpty(text) || text.Length > 45 || text.Contains('%')) return false;
        if (!IPAddress.TryParse(text, out var parsed)) return false;
        if (parsed.AddressFamily == AddressFamily.InterNetwork)
        {
            var parts = text.Split('.');
            if (parts.Length != 4 || parts.Any(p => p.Length == 0 || p.Length > 3 || !p.All(char.IsAsciiDigit)
                || (p.Length > 1 && p[0] == '0'))) return false;
        }
        else if (parsed.AddressFamily != AddressFamily.InterNetworkV6 || !text.Contains(':')) return false;
        address = parsed;
        return true;
    }

    /// <summary>The address as a number (IPv4 in the low 32 bits); no allocation, IPAM calls it per address.</summary>
    public static UInt128 ToInt(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var n);
        UInt128 value = 0;
        for (var i = 0; i < n; i++) value = (value << 8) | bytes[i];
        return value;
    }

    public static IPAddress FromInt(UInt128 value, IpVersion version)
    {
        var length = version == IpVersion.V4 ? 4 : 16;
        var bytes = new byte[length];
        for (var i = length - 1; i >= 0; i--)
        {
            bytes[i] = (byte)(value & 0xff);
            value >>= 8;
        }
        return new IPAddress(bytes);
    }
}
