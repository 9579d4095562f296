using System.Buffers.Binary;
using System.Collections;
using System.Runtime.CompilerServices;
using System.Text;

namespace Infra.DBus.Wire;

/// <summary>
/// Signature-driven little-endian marshaller. Alignment is relative to the start of the buffer, which
/// is the start of the message (header) or of the body — both 8-aligned, so the two agree.
/// </summary>
public sealed class DBusWriter
{
    byte[] _buf = new byte[256];
    int _len;

    public int Length => _len;
    public ReadOnlySpan<byte> Written => _buf.AsSpan(0, _len);
    public byte[] ToArray() => _buf.AsSpan(0, _len).ToArray();

    /// <summary>Writes a sequence of values against a signature of as many complete types.</summary>
    public void WriteAll(string signature, IReadOnlyList<object> values)
    {
        var types = SignatureReader.Split(signature);
        if (types.Count != values.Count)
            throw new ArgumentException($"signature '{signature}' has {types.Count} types but {values.Count} values were given");
        for (int i = 0; i < types.Count; i++) Write(types[i], values[i]);
    }

    /// <summary>Writes one value of the single complete type <paramref name="type"/>.</summary>
    public void Write(string type, object value)
    {
        switch (type[0])
        {
            case 'y': WriteByte(Convert.ToByte(value)); break;
            case 'b': Pad(4); PutU32((bool)value ? 1u : 0u); break;
            case 'n': Pad(2); BinaryPrimitives.WriteInt16LittleEndian(Grow(2), Convert.ToInt16(value)); break;
            case 'q': Pad(2); BinaryPrimitives.WriteUInt16LittleEndian(Grow(2), Convert.ToUInt16(value)); break;
            case 'i': Pad(4); BinaryPrimitives.WriteInt32LittleEndian(Grow(4), Convert.ToInt32(value)); break;
            case 'u': Pad(4); PutU32(Convert.ToUInt32(value)); break;
            case 'h': Pad(4); PutU32(value is UnixFdIndex fd ? fd.Index : Convert.ToUInt32(value)); break;
            case 'x': Pad(8); BinaryPrimitives.WriteInt64LittleEndian(Grow(8), Convert.ToInt64(value)); break;
            case 't': Pad(8); BinaryPrimitives.WriteUInt64LittleEndian(Grow(8), Convert.ToUInt64(value)); break;
            case 'd': Pad(8); BinaryPrimitives.WriteDoubleLittleEndian(Grow(8), Convert.ToDouble(value)); break;
            case 's': WriteString(AsText(value)); break;
            case 'o': WriteString(AsText(value)); break;
            case 'g': WriteSignature(AsText(value)); break;
            case 'v': WriteVariant(value); break;
            case '(': WriteStruct(type, value); break;
            case 'a': WriteArray(type, value); break;
            default: throw new ArgumentException($"cannot write type '{type}'");
        }
    }

    public void WriteByte(byte b) => Grow(1)[0] = b;

    public void WriteString(string s)
    {
        Pad(4);
        int n = Encoding.UTF8.GetByteCount(s);
        PutU32((uint)n);
        Encoding.UTF8.GetBytes(s, Grow(n));
        WriteByte(0);
    }

    public void WriteSignature(string s)
    {
        if (s.Length > SignatureReader.MaxSignatureLength) throw new ArgumentException("signature too long");
        WriteByte((byte)s.Length);
        Encoding.ASCII.GetBytes(s, Grow(s.Length));
        WriteByte(0);
    }

    public void Pad(int alignment)
    {
        int pad = (alignment - _len % alignment) % alignment;
        Grow(pad).Clear();
    }

    /// <summary>Overwrites a uint32 already written, e.g. an array length known only afterwards.</summary>
    public void PatchU32(int offset, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(_buf.AsSpan(offset, 4), value);

    void WriteVariant(object value)
    {
        if (value is not DBusVariant v) throw new ArgumentException($"a 'v' needs a DBusVariant, got {value?.GetType().Name ?? "null"}");
        if (SignatureReader.Split(v.Signature).Count != 1) throw new ArgumentException($"variant signature '{v.Signature}' must be one complete type");
        WriteSignature(v.Signature);
        Write(v.Signature, v.Value);
    }

    void WriteStruct(string type, object value)
    {
        Pad(8);
        var fields = SignatureReader.Split(type[1..^1]);
        var items = AsItems(value);
        if (items.Count != fields.Count) throw new ArgumentException($"struct '{type}' needs {fields.Count} fields, got {items.Count}");
        for (int i = 0; i < fields.Count; i++) Write(fields[i], items[i]!);
    }

    void WriteArray(string type, object value)
    {
        string elem = type[1..];
        Pad(4);
        int lenAt = _len;
        PutU32(0);
        Pad(SignatureReader.Alignment(elem[0])); // padding after the length is not counted in it
        int start = _len;
        if (elem == "y" && value is byte[] bytes) bytes.CopyTo(Grow(bytes.Length));
        else if (elem[0] == '{') WriteDictEntries(elem, value);
        else foreach (var item in (IEnumerable)value) Write(elem, item!);
        int n = _len - start;
        if (n > DBusLimits.MaxArrayLength) throw new ArgumentException($"array of {n} bytes exceeds the D-Bus limit of {DBusLimits.MaxArrayLength}");
        PatchU32(lenAt, (uint)n);
    }

    void WriteDictEntries(string entry, object value)
    {
        var kv = SignatureReader.Split(entry[1..^1]);
        if (value is IDictionary dict)
        {
            foreach (DictionaryEntry e in dict) { Pad(8); Write(kv[0], e.Key); Write(kv[1], e.Value!); }
            return;
        }
        foreach (var item in (IEnumerable)value)
        {
            var pair = AsPair(item!);
            Pad(8); Write(kv[0], pair.Key); Write(kv[1], pair.Value);
        }
    }

    static (object Key, object Value) AsPair(object item)
    {
        var items = AsItems(item);
        if (items.Count != 2) throw new ArgumentException("a dict entry needs a key and a value");
        return (items[0]!, items[1]!);
    }

    static IReadOnlyList<object?> AsItems(object value) => value switch
    {
        object?[] arr => arr,
        ITuple t => Enumerable.Range(0, t.Length).Select(i => t[i]).ToArray(),
        IList l => l.Cast<object?>().ToArray(),
        _ when value.GetType().IsGenericType && value.GetType().GetGenericTypeDefinition() == typeof(KeyValuePair<,>) =>
            new[] { value.GetType().GetProperty("Key")!.GetValue(value), value.GetType().GetProperty("Value")!.GetValue(value) },
        _ => throw new ArgumentException($"cannot write {value.GetType().Name} as a struct"),
    };

    static string AsText(object value) => value switch
    {
        string s => s,
        ObjectPath p => p.Value,
        DBusSignature g => g.Value,
        _ => throw new ArgumentException($"expected text, got {value?.GetType().Name ?? "null"}"),
    };

    void PutU32(uint v) => BinaryPrimitives.WriteUInt32LittleEndian(Grow(4), v);

    Span<byte> Grow(int n)
    {
        if (_len + n > _buf.Length) Array.Resize(ref _buf, Math.Max(_buf.Length * 2, _len + n));
        var span = _buf.AsSpan(_len, n);
        _len += n;
        return span;
    }
}

/// <summary>Hard limits from the D-Bus specification, enforced on both reading and writing.</summary>
public static class DBusLimits
{
    public const int MaxArrayLength = 64 * 1024 * 1024;
    public const int MaxMessageLength = 128 * 1024 * 1024;
}
