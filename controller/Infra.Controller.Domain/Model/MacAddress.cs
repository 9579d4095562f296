using System.Globalization;

namespace Infra.Controller.Domain.Model;

/// <summary>
/// A 48-bit MAC in canonical lower-case colon form. User-given MACs must be unicast and non-zero;
/// they need not be locally administered: a guest moved from another platform keeps its vendor MAC
/// (licences and udev names are bound to it), and tenant overlays never meet the physical underlay,
/// so a vendor MAC cannot clash with a real NIC. MACs that IPAM assigns are locally administered.
/// </summary>
public readonly record struct MacAddress(ulong Value)
{
    public bool IsMulticast => ((Value >> 40) & 0x01) != 0;
    public bool IsLocallyAdministered => ((Value >> 40) & 0x02) != 0;

    public override string ToString()
    {
        var value = Value;
        return string.Join(':', Enumerable.Range(0, 6).Select(i => ((value >> (40 - 8 * i)) & 0xff).ToString("x2", CultureInfo.InvariantCulture)));
    }

    /// <summary>Accepts "02:ab:cd:ef:01:23" (either case, ':' or '-' separators).</summary>
    public static bool TryParse(string text, out MacAddress mac, out string error)
    {
        mac = default;
        var parts = text.Split(text.Contains('-') ? '-' : ':');
        if (text.Length != 17 || parts.Length != 6 || parts.Any(p => p.Length != 2 || !p.All(char.IsAsciiHexDigit)))
        {
            error = $"\"{text}\" is not a MAC address; write six hex octets such as 02:00:5e:10:00:01";
            return false;
        }
        ulong value = 0;
        foreach (var p in parts) value = (value << 8) | byte.Parse(p, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        mac = new MacAddress(value);
        if (value == 0)
        {
            error = "the all-zero MAC is not a valid interface address; leave it empty to have one assigned";
            return false;
        }
        if (mac.IsMulticast)
        {
            error = $"{mac} is a multicast/broadcast MAC (lowest bit of the first octet set); a NIC needs a unicast MAC";
            return false;
        }
        error = "";
        return true;
    }
}
