using System.Buffers.Binary;
using System.Text;

namespace Infra.Agent.Storage.Nbd;

/// <summary>An NBD server answered something this client cannot use; Message says what.</summary>
public sealed class NbdProtocolException(string message) : Exception(message);

/// <summary>One option reply of the handshake.</summary>
public readonly record struct NbdOptionReply(uint Option, uint Type, int Length)
{
    public bool IsError => (Type & 0x8000_0000) != 0;
}

/// <summary>
/// Pure encoders and decoders for the parts of the NBD protocol the export reader uses: the fixed
/// newstyle handshake with NBD_OPT_GO, and simple replies to NBD_CMD_READ (structured replies are
/// never asked for, so the server must answer simply). All integers are big-endian.
/// </summary>
public static class NbdCodec
{
    public const ulong InitMagic = 0x4e42444d41474943;      // "NBDMAGIC"
    public const ulong OptMagic = 0x49484156454F5054;       // "IHAVEOPT"
    public const ulong OptReplyMagic = 0x0003e889045565a9;
    public const uint RequestMagic = 0x25609513;
    public const uint SimpleReplyMagic = 0x67446698;
    public const ushort FlagFixedNewstyle = 1, FlagNoZeroes = 2;
    public const uint OptGo = 7, RepAck = 1, RepInfo = 3;
    public const ushort InfoExport = 0;
    public const ushort CmdRead = 0, CmdDisconnect = 2;
    /// <summary>qemu's NBD server refuses requests above 32 MiB.</summary>
    public const int MaxRead = 32 << 20;

    /// <summary>The server's 18-byte greeting: its handshake flags; throws when it is not fixed newstyle.</summary>
    public static ushort ParseGreeting(ReadOnlySpan<byte> b)
    {
        if (BinaryPrimitives.ReadUInt64BigEndian(b) != InitMagic || BinaryPrimitives.ReadUInt64BigEndian(b[8..]) != OptMagic)
            throw new NbdProtocolException("not an NBD newstyle server (bad greeting magic)");
        var flags = BinaryPrimitives.ReadUInt16BigEndian(b[16..]);
        if ((flags & FlagFixedNewstyle) == 0) throw new NbdProtocolException("the NBD server does not speak fixed newstyle");
        return flags;
    }

    /// <summary>Client flags answering the greeting (4 bytes).</summary>
    public static byte[] ClientFlags(ushort serverFlags)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, (uint)(FlagFixedNewstyle | (serverFlags & FlagNoZeroes)));
        return b;
    }

    /// <summary>NBD_OPT_GO for an export, asking for no extra information (the size comes anyway).</summary>
    public static byte[] OptGoRequest(string exportName)
    {
        var name = Encoding.UTF8.GetBytes(exportName);
        var b = new byte[16 + 4 + name.Length + 2];
        BinaryPrimitives.WriteUInt64BigEndian(b, OptMagic);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(8), OptGo);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(12), (uint)(4 + name.Length + 2));
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(16), (uint)name.Length);
        name.CopyTo(b, 20);
        return b; // the trailing u16 (number of info requests) stays 0
    }

    /// <summary>The 20-byte header of an option reply.</summary>
    public static NbdOptionReply ParseOptionReply(ReadOnlySpan<byte> b)
    {
        if (BinaryPrimitives.ReadUInt64BigEndian(b) != OptReplyMagic) throw new NbdProtocolException("bad option reply magic");
        var length = BinaryPrimitives.ReadUInt32BigEndian(b[16..]);
        if (length > 64 << 10) throw new NbdProtocolException($"option reply of {length} bytes is too large");
        return new(BinaryPrimitives.ReadUInt32BigEndian(b[8..]), BinaryPrimitives.ReadUInt32BigEndian(b[12..]), (int)length);
    }

    /// <summary>The export size from an NBD_REP_INFO payload, or null when it is another kind of info.</summary>
    public static ulong? ExportSize(ReadOnlySpan<byte> info) =>
        info.Length >= 12 && BinaryPrimitives.ReadUInt16BigEndian(info) == InfoExport ? BinaryPrimitives.ReadUInt64BigEndian(info[2..]) : null;

    /// <summary>A 28-byte transmission request.</summary>
    public static byte[] Request(ushort type, ulong cookie, ulong offset, uint length)
    {
        var b = new byte[28];
        BinaryPrimitives.WriteUInt32BigEndian(b, RequestMagic);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(6), type);
        BinaryPrimitives.WriteUInt64BigEndian(b.AsSpan(8), cookie);
        BinaryPrimitives.WriteUInt64BigEndian(b.AsSpan(16), offset);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(24), length);
        return b;
    }

    /// <summary>A 16-byte simple reply header: the error (0 = fine) and the cookie it answers.</summary>
    public static (uint Error, ulong Cookie) ParseSimpleReply(ReadOnlySpan<byte> b)
    {
        if (BinaryPrimitives.ReadUInt32BigEndian(b) != SimpleReplyMagic) throw new NbdProtocolException("bad reply magic (structured replies were not negotiated)");
        return (BinaryPrimitives.ReadUInt32BigEndian(b[4..]), BinaryPrimitives.ReadUInt64BigEndian(b[8..]));
    }
}
