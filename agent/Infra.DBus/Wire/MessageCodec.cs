using System.Buffers.Binary;

namespace Infra.DBus.Wire;

/// <summary>
/// Frames messages: <see cref="Encode"/> turns a message into bytes, <see cref="TryDecode"/> reads one
/// message from the front of a buffer or reports "incomplete" (returns 0) until all of it is there.
/// Pure: no I/O, so every frame shape is testable with byte arrays.
/// </summary>
public static class MessageCodec
{
    const byte ProtocolVersion = 1;
    const int FixedHeaderLength = 16; // endianness, type, flags, version, body length, serial, fields length

    enum Field : byte { Path = 1, Interface = 2, Member = 3, ErrorName = 4, ReplySerial = 5, Destination = 6, Sender = 7, Signature = 8, UnixFds = 9 }

    public static byte[] Encode(DBusMessage m)
    {
        if (m.Serial == 0) throw new ArgumentException("a message needs a non-zero serial before it is encoded");
        Validate(m);
        var body = new DBusWriter();
        body.WriteAll(m.Signature, m.Body);

        var w = new DBusWriter();
        w.WriteByte((byte)'l');
        w.WriteByte((byte)m.Type);
        w.WriteByte((byte)m.Flags);
        w.WriteByte(ProtocolVersion);
        w.Write("u", (uint)body.Length);
        w.Write("u", m.Serial);
        var fields = new List<object[]>();
        void Add(Field f, string sig, object? v) { if (v is not null) fields.Add(new object[] { (byte)f, new DBusVariant(sig, v) }); }
        Add(Field.Path, "o", m.Path is null ? null : (object)new ObjectPath(m.Path));
        Add(Field.Interface, "s", m.Interface);
        Add(Field.Member, "s", m.Member);
        Add(Field.ErrorName, "s", m.ErrorName);
        Add(Field.ReplySerial, "u", m.ReplySerial);
        Add(Field.Destination, "s", m.Destination);
        Add(Field.Sender, "s", m.Sender);
        if (m.Signature.Length > 0) Add(Field.Signature, "g", new DBusSignature(m.Signature));
        if (m.UnixFds > 0) Add(Field.UnixFds, "u", m.UnixFds);
        w.Write("a(yv)", fields);
        w.Pad(8);

        int total = w.Length + body.Length;
        if (total > DBusLimits.MaxMessageLength) throw new ArgumentException($"message of {total} bytes exceeds the D-Bus limit of {DBusLimits.MaxMessageLength}");
        var bytes = new byte[total];
        w.Written.CopyTo(bytes);
        body.Written.CopyTo(bytes.AsSpan(w.Length));
        return bytes;
    }

    /// <summary>
    /// Total length of the message at the front of <paramref name="buffer"/>, or 0 if fewer than 16 bytes
    /// are there to tell. Throws when the announced length breaks the limits.
    /// </summary>
    public static int PeekLength(ReadOnlySpan<byte> buffer)
    {
        if (buffer.Length < FixedHeaderLength) return 0;
        bool little = Endianness(buffer[0]);
        if (buffer[3] != ProtocolVersion) throw new DBusProtocolException($"unsupported protocol version {buffer[3]}");
        uint bodyLen = little ? BinaryPrimitives.ReadUInt32LittleEndian(buffer[4..]) : BinaryPrimitives.ReadUInt32BigEndian(buffer[4..]);
        uint fieldsLen = little ? BinaryPrimitives.ReadUInt32LittleEndian(buffer[12..]) : BinaryPrimitives.ReadUInt32BigEndian(buffer[12..]);
        if (fieldsLen > DBusLimits.MaxArrayLength || bodyLen > DBusLimits.MaxMessageLength)
            throw new DBusProtocolException("message header announces a length past the D-Bus limits");
        long headerLen = FixedHeaderLength + fieldsLen;
        headerLen = (headerLen + 7) & ~7L;
        long total = headerLen + bodyLen;
        if (total > DBusLimits.MaxMessageLength) throw new DBusProtocolException($"message of {total} bytes exceeds the D-Bus limit");
        return (int)total;
    }

    /// <summary>Decodes one message if the buffer holds all of it; returns the bytes consumed, or 0 if incomplete.</summary>
    public static int TryDecode(ReadOnlySpan<byte> buffer, out DBusMessage? message)
    {
        message = null;
        int total = PeekLength(buffer);
        if (total == 0 || buffer.Length < total) return 0;
        var frame = buffer[..total];
        bool little = Endianness(frame[0]);
        var r = new DBusReader(frame, little, 4);
        uint bodyLen = r.ReadUInt32();
        uint serial = r.ReadUInt32();
        if (serial == 0) throw new DBusProtocolException("message serial is 0");
        var fields = (object[])r.Read("a(yv)");
        r.Align(8);
        int bodyStart = r.Position;

        var m = new DBusMessage { Type = (MessageType)frame[1], Flags = (MessageFlags)frame[2], Serial = serial };
        foreach (object[] f in fields)
        {
            var v = ((DBusVariant)f[1]).Value;
            m = (Field)(byte)f[0] switch
            {
                Field.Path => m with { Path = Expect<ObjectPath>(v, "PATH").Value },
                Field.Interface => m with { Interface = Expect<string>(v, "INTERFACE") },
                Field.Member => m with { Member = Expect<string>(v, "MEMBER") },
                Field.ErrorName => m with { ErrorName = Expect<string>(v, "ERROR_NAME") },
                Field.ReplySerial => m with { ReplySerial = Expect<uint>(v, "REPLY_SERIAL") },
                Field.Destination => m with { Destination = Expect<string>(v, "DESTINATION") },
                Field.Sender => m with { Sender = Expect<string>(v, "SENDER") },
                Field.Signature => m with { Signature = Expect<DBusSignature>(v, "SIGNATURE").Value },
                Field.UnixFds => m with { UnixFds = Expect<uint>(v, "UNIX_FDS") },
                _ => m, // unknown header fields must be ignored
            };
        }
        Validate(m);
        var body = new DBusReader(frame[bodyStart..], little);
        var values = body.ReadAll(m.Signature);
        if (body.Position != bodyLen) throw new DBusProtocolException($"body is {bodyLen} bytes but signature '{m.Signature}' used {body.Position}");
        message = m with { Body = values };
        return total;
    }

    static void Validate(DBusMessage m)
    {
        string? missing = m.Type switch
        {
            MessageType.MethodCall when m.Path is null || m.Member is null => "a method call needs PATH and MEMBER",
            MessageType.Signal when m.Path is null || m.Interface is null || m.Member is null => "a signal needs PATH, INTERFACE and MEMBER",
            MessageType.Error when m.ErrorName is null || m.ReplySerial is null => "an error needs ERROR_NAME and REPLY_SERIAL",
            MessageType.MethodReturn when m.ReplySerial is null => "a method return needs REPLY_SERIAL",
            MessageType.MethodCall or MessageType.Signal or MessageType.Error or MessageType.MethodReturn => null,
            _ => null, // unknown types are ignored by the connection, not rejected
        };
        if (missing is not null) throw new DBusProtocolException(missing);
    }

    static bool Endianness(byte b) => b switch
    {
        (byte)'l' => true,
        (byte)'B' => false,
        _ => throw new DBusProtocolException($"bad endianness marker 0x{b:x2}"),
    };

    static T Expect<T>(object v, string field) =>
        v is T t ? t : throw new DBusProtocolException($"header field {field} has the wrong type {v.GetType().Name}");
}
