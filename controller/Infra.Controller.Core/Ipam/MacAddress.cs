namespace Infra.Controller.Core.Ipam;

/// <summary>
/// MACs handed to VM ports: unicast and locally administered (bit 1 of the first octet set, bit 0
/// clear), so they never collide with vendor-assigned hardware addresses. The operator picks a prefix
/// of one to three octets (different clusters sharing an L2 domain pick different prefixes); the rest is
/// random and made unique within the cluster by the store.
/// </summary>
public sealed record MacPolicy(byte[] Prefix)
{
    public static MacPolicy Default { get; } = new([0x02, 0x1c, 0x7e]);

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Prefix.Length is < 1 or > 3) errors.Add($"MAC prefix must be 1 to 3 octets, got {Prefix.Length}");
        else
        {
            if ((Prefix[0] & 0x02) == 0) errors.Add($"MAC prefix {Format(Prefix)} is not locally administered: set bit 1 of the first octet (e.g. 02, 06, 0a, 0e)");
            if ((Prefix[0] & 0x01) != 0) errors.Add($"MAC prefix {Format(Prefix)} is multicast: clear bit 0 of the first octet");
        }
        return errors;
    }

    public string Draw(Random rng)
    {
        var mac = new byte[6];
        rng.NextBytes(mac);
        Prefix.CopyTo(mac, 0);
        return Format(mac);
    }

    public static string Format(ReadOnlySpan<byte> b) => string.Join(':', b.ToArray().Select(x => x.ToString("x2")));

    public static bool IsLocalUnicast(string mac)
    {
        var first = Convert.ToByte(mac[..2], 16);
        return (first & 0x02) != 0 && (first & 0x01) == 0;
    }
}
