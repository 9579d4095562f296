using System.Net;

namespace Infra.Agent.Network.Guests.Dhcp;

/// <summary>
/// Option 121 (RFC 3442): each route is the prefix length, only the significant octets of the
/// destination, then the router. A client that gets option 121 ignores option 3, so the default
/// route (0.0.0.0/0) must be in it too when the NIC has one.
/// </summary>
public static class ClasslessRoutes
{
    public static byte[] Encode(IEnumerable<(IPNetwork Destination, IPAddress Router)> routes)
    {
        var b = new List<byte>();
        foreach (var (dest, router) in routes)
        {
            var len = dest.PrefixLength;
            b.Add((byte)len);
            b.AddRange(dest.BaseAddress.GetAddressBytes().Take((len + 7) / 8));
            b.AddRange(router.GetAddressBytes());
        }
        return [.. b];
    }

    public static bool TryDecode(ReadOnlySpan<byte> data, out List<(IPNetwork Destination, IPAddress Router)> routes)
    {
        routes = [];
        var i = 0;
        while (i < data.Length)
        {
            var len = data[i++];
            if (len > 32) return false;
            var octets = (len + 7) / 8;
            if (i + octets + 4 > data.Length) return false;
            var dest = new byte[4];
            data.Slice(i, octets).CopyTo(dest);
            i += octets;
            routes.Add((Frames.IpNet.Masked(dest, len), new IPAddress(data.Slice(i, 4))));
            i += 4;
        }
        return true;
    }
}
