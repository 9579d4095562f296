using System.Net;

namespace Infra.Agent.Network.Guests.Frames;

/// <summary>IPNetwork refuses host bits; wire data may carry them, so mask first.</summary>
public static class IpNet
{
    public static IPNetwork Masked(ReadOnlySpan<byte> address, int prefixLength)
    {
        var b = address.ToArray();
        for (var i = 0; i < b.Length; i++)
        {
            var keep = Math.Clamp(prefixLength - 8 * i, 0, 8);
            b[i] &= (byte)(0xff << (8 - keep));
        }
        return new IPNetwork(new IPAddress(b), prefixLength);
    }
}
