using System.Net;
using System.Net.Sockets;
using System.Numerics;

namespace Infra.Controller.Domain.Model;

/// <summary>
/// An IP network in canonical form (host bits zero). Addresses are handled as 128-bit integers so
/// IPv4 and IPv6 share one arithmetic; comparisons across versions are always false.
/// </summary>
public readonly record struct IpCidr(IPAddress Network, int PrefixLength)
{
    public IpVersion Version => Network.AddressFamily == AddressFamily.InterNetwork ? IpVersion.V4 : IpVersion.V6;
    public int Bits => Version == IpVersion.V4 ? 32 : 128;
    public UInt128 First => IpMath.ToInt(Network);
    public UInt128 Last => First + HostMask(Bits, PrefixLength);

    /// <summary>The network address as an IPAddress (same as <see cref="Network"/>).</summary>
    public IPAddress FirstAddress => Network;
    /// <summary>The last address (IPv4 broadcast).</summary>
    public IPAddress LastAddress => IpMath.FromInt(Last, Version);

    public bool Contains(IPAddress address) =>
        IpMath.VersionOf(address) == Version && IpMath.ToInt(address) >= First && IpMath.ToInt(address) <= Last;

    public bool Overlaps(IpCidr other) =>
        other.Version == Version && other.First <= Last && First <= other.Last;

    public override string ToString() => $"{Network}/{PrefixLength}";

    internal static UInt128 HostMask(int bits, int prefix) =>
        prefix >= bits ? UInt128.Zero : (UInt128.One << (bits - prefix)) - 1;

    /// <summary>Parses "a.b.c.d/n" or "x::/n"; the error names what is wrong.</summary>
    public static bool TryParse(string text, out IpCidr cidr, out string error)
    {
        cidr = default;
        var slash = text.IndexOf('/');
        if (slash <= 0 || slash == text.Length - 1)
        {
            error = $"\"{text}\" is not a CIDR; write an address and a prefix length, such as 10.0.0.0/24 or fd00:1::/64";
            return false;
        }
        if (!IpMath.TryParseAddress(text[..slash], out var address))
        {
            error = $"\"{text[..slash]}\" is not an IP address; use a form such as 10.0.0.0/24 or fd00:1::/64";
            return false;
        }
        var bits = IpMath.VersionOf(address) == IpVersion.V4 ? 32 : 128;
        var lengthText = text[(slash + 1)..];
        if (lengthText.Length > 3 || !lengthText.All(char.IsAsciiDigit) || !int.TryParse(lengthText, out var prefix) || prefix > bits)
        {
            error = $"prefix length \"{lengthText}\" must be a number from 0 to {bits}";
            return false;
        }
        var value = IpMath.ToInt(address);
        var hostBits = value & HostMask(bits, prefix);
        if (hostBits != UInt128.Zero)
        {
            var canonical = new IpCidr(IpMath.FromInt(value & ~HostMask(bits, prefix), IpMath.VersionOf(address)), prefix);
            error = $"\"{text}\" has host bits set; did you mean {canonical}?";
            return false;
        }
        cidr = new IpCidr(address, prefix);
        error = "";
        return true;
    }
}
