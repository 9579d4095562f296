using System.Text.Json;
using Infra.Ovsdb.Values;

namespace Infra.Ovsdb.Codec;

/// <summary>
/// Pure encoder/decoder for OVSDB datums (RFC 7047 5.1) over Utf8JsonReader/Writer.
/// Wire forms: bare JSON atoms, ["uuid","…"], ["named-uuid","…"], ["set",[…]], ["map",[[k,v],…]].
/// </summary>
public static class OvsdbValueCodec
{
    public static void Write(Utf8JsonWriter w, OvsdbValue value)
    {
        switch (value)
        {
            case OvsdbAtom a: WriteAtom(w, a); break;
            case OvsdbSet s:
                // One-element sets may go bare, but the explicit form is always valid; keep it explicit.
                w.WriteStartArray(); w.WriteStringValue("set"); w.WriteStartArray();
                foreach (var a in s.Items) WriteAtom(w, a);
                w.WriteEndArray(); w.WriteEndArray(); break;
            case OvsdbMap m:
                w.WriteStartArray(); w.WriteStringValue("map"); w.WriteStartArray();
                foreach (var (k, v) in m.Items) { w.WriteStartArray(); WriteAtom(w, k); WriteAtom(w, v); w.WriteEndArray(); }
                w.WriteEndArray(); w.WriteEndArray(); break;
            default: throw new ArgumentException($"Unknown OVSDB value {value.GetType().Name}.", nameof(value));
        }
    }

    public static void WriteAtom(Utf8JsonWriter w, OvsdbAtom atom)
    {
        switch (atom)
        {
            case OvsdbString s: w.WriteStringValue(s.Value); break;
            case OvsdbInteger i: w.WriteNumberValue(i.Value); break;
            case OvsdbReal r: w.WriteNumberValue(r.Value); break;
            case OvsdbBoolean b: w.WriteBooleanValue(b.Value); break;
            case OvsdbUuid u: w.WriteStartArray(); w.WriteStringValue("uuid"); w.WriteStringValue(u.Value.ToString("D")); w.WriteEndArray(); break;
            case OvsdbNamedUuid n: w.WriteStartArray(); w.WriteStringValue("named-uuid"); w.WriteStringValue(n.Name); w.WriteEndArray(); break;
            default: throw new ArgumentException($"Unknown OVSDB atom {atom.GetType().Name}.", nameof(atom));
        }
    }

    /// <summary>Reads one datum; the reader must sit on its first token and is left on its last.</summary>
    public static OvsdbValue Read(ref Utf8JsonReader r)
    {
        if (r.TokenType != JsonTokenType.StartArray) return ReadScalar(ref r);
        Next(ref r);
        if (r.TokenType != JsonTokenType.String) throw new OvsdbFormatException("An OVSDB array datum must start with \"set\", \"map\", \"uuid\" or \"named-uuid\".");
        var tag = r.GetString();
        Next(ref r);
        OvsdbValue result;
        switch (tag)
        {
            case "uuid": result = new OvsdbUuid(ReadGuid(ref r)); break;
            case "named-uuid": result = new OvsdbNamedUuid(ExpectString(ref r)); break;
            case "set":
                Expect(ref r, JsonTokenType.StartArray);
                var items = new List<OvsdbAtom>();
                for (Next(ref r); r.TokenType != JsonTokenType.EndArray; Next(ref r)) items.Add(ReadAtom(ref r));
                result = new OvsdbSet(items); break;
            case "map":
                Expect(ref r, JsonTokenType.StartArray);
                var pairs = new List<KeyValuePair<OvsdbAtom, OvsdbAtom>>();
                for (Next(ref r); r.TokenType != JsonTokenType.EndArray; Next(ref r))
                {
                    Expect(ref r, JsonTokenType.StartArray);
                    Next(ref r); var k = ReadAtom(ref r);
                    Next(ref r); var v = ReadAtom(ref r);
                    Next(ref r); Expect(ref r, JsonTokenType.EndArray);
                    pairs.Add(new(k, v));
                }
                result = new OvsdbMap(pairs); break;
            default: throw new OvsdbFormatException($"Unknown OVSDB datum tag \"{tag}\".");
        }
        Next(ref r);
        Expect(ref r, JsonTokenType.EndArray);
        return result;
    }

    public static OvsdbAtom ReadAtom(ref Utf8JsonReader r) =>
        Read(ref r) as OvsdbAtom ?? throw new OvsdbFormatException("Expected an atom, found a set or map.");

    /// <summary>Reads a datum from an already parsed element (notifications and results arrive as JsonElement).</summary>
    public static OvsdbValue Read(JsonElement e)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(e);
        var r = new Utf8JsonReader(bytes);
        r.Read();
        return Read(ref r);
    }

    private static OvsdbAtom ReadScalar(ref Utf8JsonReader r) => r.TokenType switch
    {
        JsonTokenType.String => new OvsdbString(r.GetString()!),
        JsonTokenType.True => new OvsdbBoolean(true),
        JsonTokenType.False => new OvsdbBoolean(false),
        JsonTokenType.Number when r.TryGetInt64(out var l) => new OvsdbInteger(l),
        JsonTokenType.Number => new OvsdbReal(r.GetDouble()),
        _ => throw new OvsdbFormatException($"Unexpected JSON token {r.TokenType} where an OVSDB datum was expected."),
    };

    private static Guid ReadGuid(ref Utf8JsonReader r)
    {
        var s = ExpectString(ref r);
        return Guid.TryParseExact(s, "D", out var g) ? g : throw new OvsdbFormatException($"\"{s}\" is not a UUID.");
    }

    private static string ExpectString(ref Utf8JsonReader r)
    {
        Expect(ref r, JsonTokenType.String);
        return r.GetString()!;
    }

    private static void Expect(ref Utf8JsonReader r, JsonTokenType t)
    {
        if (r.TokenType != t) throw new OvsdbFormatException($"Expected {t} in OVSDB datum, found {r.TokenType}.");
    }

    private static void Next(ref Utf8JsonReader r)
    {
        if (!r.Read()) throw new OvsdbFormatException("Truncated OVSDB datum.");
    }
}
