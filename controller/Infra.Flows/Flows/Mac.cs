using System.Globalization;
using System.Net;

namespace Infra.Flows.Flows;

/// <summary>A 48-bit Ethernet address; renders the way ovs-ofctl prints it.</summary>
public readonly record struct Mac(ulong Value)
{
    public static readonly Mac Zero = new(0);
    public static readonly Mac Multicast = new(0x01_00_00_00_00_00);

    public static bool TryParse(string? text, out Mac mac)
    {
        mac = Zero;
        if (text is null) return false;
        var parts = text.Split(':', '-');
        if (parts.Length != 6) return false;
        ulong v = 0;
        foreach (var p in parts)
        {
            if (p.Length is < 1 or > 2 || !byte.TryParse(p, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var b))
                return false;
            v = (v << 8) | b;
        }
        mac = new Mac(v);
        return true;
    }

    public static Mac Parse(string text) =>
        TryParse(text, out var m) ? m : throw new FormatException($"'{text}' is not a MAC address (want aa:bb:cc:dd:ee:ff)");

    public bool IsMulticast => (Value & Multicast.Value) != 0;

    /// <summary>The IPv6 link-local address a guest derives from this MAC (modified EUI-64, RFC 4291).</summary>
    public IPAddress LinkLocal()
    {
        var b = new byte[16];
        b[0] = 0xfe; b[1] = 0x80;
        var m = ToBytes();
        b[8] = (byte)(m[0] ^ 0x02); b[9] = m[1]; b[10] = m[2];
        b[11] = 0xff; b[12] = 0xfe;
        b[13] = m[3]; b[14] = m[4]; b[15] = m[5];
        return new IPAddress(b);
    }

    public byte[] ToBytes()
    {
        var m = new byte[6];
        for (var i = 0; i < 6; i++) m[i] = (byte)(Value >> (40 - 8 * i));
        return m;
    }

    public override string ToString()
    {
        var m = ToBytes();
        return string.Create(17, m, static (span, bytes) =>
        {
            const string hex = "0123456789abcdef";
            for (var i = 0; i < 6; i++)
            {
                span[i * 3] = hex[bytes[i] >> 4];
                span[i * 3 + 1] = hex[bytes[i] & 0xf];
                if (i < 5) span[i * 3 + 2] = ':';
            }
        });
    }
}
