using System.Buffers.Binary;
using System.Net;

namespace Infra.Agent.Network.Guests.Dhcp;

/// <summary>DHCP message types (option 53, RFC 2132 §9.6).</summary>
public enum DhcpMessageType : byte
{
    Discover = 1, Offer = 2, Request = 3, Decline = 4, Ack = 5, Nak = 6, Release = 7, Inform = 8,
}

/// <summary>
/// One DHCPv4 message (RFC 2131): the fixed BOOTP header, then options after the magic cookie.
/// A pure codec: <see cref="TryDecode"/> reads a UDP payload with hard bounds and says why it
/// refuses one; <see cref="Encode"/> writes the wire form (padded to BOOTP's 300-byte minimum,
/// which some old clients still insist on). Options keep their order; a code given twice is
/// concatenated on decode, as RFC 3396 says.
/// </summary>
public sealed record DhcpMessage(
    byte Op,
    uint Xid,
    ushort Secs,
    ushort Flags,
    IPAddress Ciaddr,
    IPAddress Yiaddr,
    IPAddress Siaddr,
    IPAddress Giaddr,
    byte[] Chaddr,
    IReadOnlyList<DhcpOption> Options)
{
    public const byte BootRequest = 1, BootReply = 2;
    public const ushort BroadcastFlag = 0x8000;
    const int HeaderLength = 236;
    const uint MagicCookie = 0x63825363;
    /// <summary>No DHCP message we accept is larger than an Ethernet frame's payload.</summary>
    public const int MaxLength = 1500;

    public DhcpMessageType? Type => Option(DhcpOptionCode.MessageType) is [var t] ? (DhcpMessageType)t : null;

    public byte[]? Option(DhcpOptionCode code)
    {
        byte[]? value = null;
        foreach (var o in Options)
            if (o.Code == (byte)code) value = value is null ? o.Value : [.. value, .. o.Value];
        return value;
    }

    public IPAddress? RequestedAddress => Option(DhcpOptionCode.RequestedAddress) is { Length: 4 } b ? new IPAddress(b) : null;
    public IPAddress? ServerId => Option(DhcpOptionCode.ServerId) is { Length: 4 } b ? new IPAddress(b) : null;

    public static bool TryDecode(ReadOnlySpan<byte> data, out DhcpMessage message, out string error)
    {
        message = null!;
        if (data.Length < HeaderLength + 4) { error = $"{data.Length} bytes is shorter than a DHCP header with its magic cookie ({HeaderLength + 4})"; return false; }
        if (data.Length > MaxLength) { error = $"{data.Length} bytes is longer than {MaxLength}"; return false; }
        if (data[1] != 1 || data[2] != 6) { error = $"hardware type {data[1]} length {data[2]} is not Ethernet (1, 6)"; return false; }
        if (BinaryPrimitives.ReadUInt32BigEndian(data[HeaderLength..]) != MagicCookie) { error = "no DHCP magic cookie (plain BOOTP is not served)"; return false; }
        var options = new List<DhcpOption>();
        var i = HeaderLength + 4;
        while (i < data.Length)
        {
            var code = data[i++];
            if (code == 0) continue;
            if (code == 255) break;
            if (i >= data.Length) { error = $"option {code} has no length byte"; return false; }
            var len = data[i++];
            if (i + len > data.Length) { error = $"option {code} says {len} bytes but only {data.Length - i} remain"; return false; }
            options.Add(new DhcpOption(code, data.Slice(i, len).ToArray()));
            i += len;
        }
        message = new DhcpMessage(data[0], BinaryPrimitives.ReadUInt32BigEndian(data[4..]), BinaryPrimitives.ReadUInt16BigEndian(data[8..]),
            BinaryPrimitives.ReadUInt16BigEndian(data[10..]), new IPAddress(data.Slice(12, 4)), new IPAddress(data.Slice(16, 4)),
            new IPAddress(data.Slice(20, 4)), new IPAddress(data.Slice(24, 4)), data.Slice(28, 6).ToArray(), options);
        error = "";
        return true;
    }

    public byte[] Encode()
    {
        var size = HeaderLength + 4 + Options.Sum(o => 2 * Math.Max(1, (o.Value.Length + 254) / 255) + o.Value.Length) + 1;
        var b = new byte[Math.Max(size, 300)];
        b[0] = Op; b[1] = 1; b[2] = 6;
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4), Xid);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(8), Secs);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(10), Flags);
        Ciaddr.TryWriteBytes(b.AsSpan(12, 4), out _);
        Yiaddr.TryWriteBytes(b.AsSpan(16, 4), out _);
        Siaddr.TryWriteBytes(b.AsSpan(20, 4), out _);
        Giaddr.TryWriteBytes(b.AsSpan(24, 4), out _);
        Chaddr.AsSpan(0, Math.Min(16, Chaddr.Length)).CopyTo(b.AsSpan(28));
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(HeaderLength), MagicCookie);
        var i = HeaderLength + 4;
        foreach (var o in Options)
        {
            // RFC 3396: a value longer than 255 bytes goes out as several options of the same code.
            var rest = o.Value.AsSpan();
            do
            {
                var chunk = rest[..Math.Min(255, rest.Length)];
                b[i++] = o.Code;
                b[i++] = (byte)chunk.Length;
                chunk.CopyTo(b.AsSpan(i));
                i += chunk.Length;
                rest = rest[chunk.Length..];
            } while (rest.Length > 0);
        }
        b[i] = 255;
        return b;
    }
}

/// <summary>One option as it is on the wire (code and raw value).</summary>
public sealed record DhcpOption(byte Code, byte[] Value)
{
    public static DhcpOption Of(DhcpOptionCode code, params byte[] value) => new((byte)code, value);
    public static DhcpOption Address(DhcpOptionCode code, params IPAddress[] addresses) =>
        new((byte)code, addresses.SelectMany(a => a.GetAddressBytes()).ToArray());
    public static DhcpOption UInt32(DhcpOptionCode code, uint value)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, value);
        return new((byte)code, b);
    }
    public static DhcpOption UInt16(DhcpOptionCode code, ushort value)
    {
        var b = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(b, value);
        return new((byte)code, b);
    }
}

/// <summary>The option codes the responder reads or writes.</summary>
public enum DhcpOptionCode : byte
{
    SubnetMask = 1, Router = 3, DnsServers = 6, HostName = 12, DomainName = 15, InterfaceMtu = 26,
    RequestedAddress = 50, LeaseTime = 51, MessageType = 53, ServerId = 54, ParameterRequestList = 55,
    Message = 56, RenewalTime = 58, RebindingTime = 59, ClientId = 61, ClasslessRoutes = 121,
}
