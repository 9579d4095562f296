using System.Text.Json;

namespace Infra.Ovsdb.Monitor;

/// <summary>
/// How a column's datum behaves under update2 "modify" diffs: Scalar and Optional (a set of at most
/// one) carry the new value and are replaced; Set gets the symmetric difference; Map is merged.
/// ovsdb-server 3.1 was observed sending "up" for link_state going "down" -> "up", not ["set",["down","up"]].
/// </summary>
public enum ColumnKind { Scalar, Optional, Set, Map }

/// <summary>
/// The part of a database schema (RFC 7047 3.2) a replica needs: each column's kind. Parsed from the
/// get_schema result. A column is a map when its type has a "value", a set when max is not 1 or min is 0.
/// </summary>
public sealed record OvsdbSchema(string Name, string Version, IReadOnlyDictionary<string, IReadOnlyDictionary<string, ColumnKind>> Tables)
{
    public static OvsdbSchema Parse(JsonElement schema)
    {
        var tables = new Dictionary<string, IReadOnlyDictionary<string, ColumnKind>>(StringComparer.Ordinal);
        foreach (var t in schema.GetProperty("tables").EnumerateObject())
        {
            var cols = new Dictionary<string, ColumnKind>(StringComparer.Ordinal);
            foreach (var c in t.Value.GetProperty("columns").EnumerateObject()) cols[c.Name] = KindOf(c.Value.GetProperty("type"));
            tables[t.Name] = cols;
        }
        return new(schema.GetProperty("name").GetString()!, schema.TryGetProperty("version", out var v) ? v.GetString() ?? "" : "", tables);
    }

    public ColumnKind KindOf(string table, string column) =>
        Tables.TryGetValue(table, out var t) && t.TryGetValue(column, out var k) ? k : ColumnKind.Scalar;

    private static ColumnKind KindOf(JsonElement type)
    {
        if (type.ValueKind == JsonValueKind.String) return ColumnKind.Scalar;
        if (type.TryGetProperty("value", out _)) return ColumnKind.Map;
        var min = type.TryGetProperty("min", out var mi) ? mi.GetInt32() : 1;
        var max = type.TryGetProperty("max", out var ma) ? (ma.ValueKind == JsonValueKind.String ? int.MaxValue : ma.GetInt32()) : 1;
        return max == 1 ? (min == 1 ? ColumnKind.Scalar : ColumnKind.Optional) : ColumnKind.Set;
    }
}
