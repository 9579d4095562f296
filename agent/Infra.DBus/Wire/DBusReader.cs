using System.Buffers.Binary;
using System.Text;

namespace Infra.DBus.Wire;

/// <summary>
/// Signature-driven unmarshaller over a complete buffer (a whole header or body). Handles both byte
/// orders, checks every length against the buffer and the spec limits, and returns canonical shapes
/// (see Values.cs). Malformed input raises <see cref="DBusProtocolException"/>, never an index error.
/// </summary>
public ref struct DBusReader
{
    readonly ReadOnlySpan<byte> _buf;
    readonly bool _little;
    int _pos;

    public DBusReader(ReadOnlySpan<byte> buffer, bool littleEndian = true, int position = 0)
    {
        _buf = buffer;
        _little = littleEndian;
        _pos = position;
    }

    public int Position => _pos;
    public bool AtEnd => _pos >= _buf.Length;

    public object[] ReadAll(string signature)
    {
        var types = SignatureReader.Split(signature);
        var values = new object[types.Count];
        for (int i = 0; i < types.Count; i++) values[i] = Read(types[i]);
        return values;
    }

    public object Read(string type) => type[0] switch
    {
        'y' => Take(1)[0],
        'b' => ReadBool(),
        'n' => (short)(_little ? BinaryPrimitives.ReadInt16LittleEndian(Aligned(2)) : BinaryPrimitives.ReadInt16BigEndian(Aligned(2))),
        'q' => _little ? BinaryPrimitives.ReadUInt16LittleEndian(Aligned(2)) : BinaryPrimitives.ReadUInt16BigEndian(Aligned(2)),
        'i' => _little ? BinaryPrimitives.ReadInt32LittleEndian(Aligned(4)) : BinaryPrimitives.ReadInt32BigEndian(Aligned(4)),
        'u' => ReadUInt32(),
        'h' => new UnixFdIndex(ReadUInt32()),
        'x' => _little ? BinaryPrimitives.ReadInt64LittleEndian(Aligned(8)) : BinaryPrimitives.ReadInt64BigEndian(Aligned(8)),
        't' => _little ? BinaryPrimitives.ReadUInt64LittleEndian(Aligned(8)) : BinaryPrimitives.ReadUInt64BigEndian(Aligned(8)),
        'd' => _little ? BinaryPrimitives.ReadDoubleLittleEndian(Aligned(8)) : BinaryPrimitives.ReadDoubleBigEndian(Aligned(8)),
        's' => ReadString(),
        'o' => new ObjectPath(ReadString()),
        'g' => new DBusSignature(ReadSignature()),
        'v' => ReadVariant(),
        '(' => ReadStruct(type),
        'a' => ReadArray(type),
        _ => throw new DBusProtocolException($"cannot read type '{type}'"),
    };

    public uint ReadUInt32() => _little ? BinaryPrimitives.ReadUInt32LittleEndian(Aligned(4)) : BinaryPrimitives.ReadUInt32BigEndian(Aligned(4));

    public string ReadString()
    {
        uint n = ReadUInt32();
        if (n > (uint)(_buf.Length - _pos - 1)) throw new DBusProtocolException($"string of {n} bytes runs past the buffer");
        var bytes = Take((int)n);
        if (Take(1)[0] != 0) throw new DBusProtocolException("string is not nul-terminated");
        if (bytes.IndexOf((byte)0) >= 0) throw new DBusProtocolException("string contains a nul byte");
        try { return Strict.GetString(bytes); }
        catch (DecoderFallbackException) { throw new DBusProtocolException("string is not valid UTF-8"); }
    }

    public string ReadSignature()
    {
        int n = Take(1)[0];
        var bytes = Take(n);
        if (Take(1)[0] != 0) throw new DBusProtocolException("signature is not nul-terminated");
        var sig = Encoding.ASCII.GetString(bytes);
        SignatureReader.Split(sig); // validates
        return sig;
    }

    public void Align(int alignment)
    {
        int pad = (alignment - _pos % alignment) % alignment;
        foreach (var b in Take(pad)) if (b != 0) throw new DBusProtocolException("non-zero alignment padding");
    }

    bool ReadBool() => ReadUInt32() switch
    {
        0 => false,
        1 => true,
        var v => throw new DBusProtocolException($"boolean holds {v}, not 0 or 1"),
    };

    DBusVariant ReadVariant()
    {
        var sig = ReadSignature();
        if (SignatureReader.Split(sig).Count != 1) throw new DBusProtocolException($"variant signature '{sig}' is not one complete type");
        return new DBusVariant(sig, Read(sig));
    }

    object[] ReadStruct(string type)
    {
        Align(8);
        var fields = SignatureReader.Split(type[1..^1]);
        var values = new object[fields.Count];
        for (int i = 0; i < fields.Count; i++) values[i] = Read(fields[i]);
        return values;
    }

    object ReadArray(string type)
    {
        uint n = ReadUInt32();
        if (n > DBusLimits.MaxArrayLength) throw new DBusProtocolException($"array of {n} bytes exceeds the D-Bus limit");
        string elem = type[1..];
        Align(SignatureReader.Alignment(elem[0]));
        if (n > (uint)(_buf.Length - _pos)) throw new DBusProtocolException($"array of {n} bytes runs past the buffer");
        int end = _pos + (int)n;
        if (elem == "y") return Take((int)n).ToArray();
        if (elem[0] == '{')
        {
            var kv = SignatureReader.Split(elem[1..^1]);
            var dict = new Dictionary<object, object>();
            while (_pos < end)
            {
                Align(8);
                var key = Read(kv[0]);
                dict[key] = Read(kv[1]);
            }
            CheckEnd(end);
            return dict;
        }
        var items = new List<object>();
        while (_pos < end) items.Add(Read(elem));
        CheckEnd(end);
        return items.ToArray();
    }

    void CheckEnd(int end)
    {
        if (_pos != end) throw new DBusProtocolException("array elements overrun the array length");
    }

    ReadOnlySpan<byte> Aligned(int size)
    {
        Align(size);
        return Take(size);
    }

    ReadOnlySpan<byte> Take(int n)
    {
        if (n < 0 || n > _buf.Length - _pos) throw new DBusProtocolException($"need {n} more bytes at offset {_pos}, buffer ends at {_buf.Length}");
        var span = _buf.Slice(_pos, n);
        _pos += n;
        return span;
    }

    static readonly UTF8Encoding Strict = new(false, true);
}
