using System.Text.Json;
using Infra.Ovsdb.Codec;
using Infra.Ovsdb.Connection;
using Infra.Ovsdb.Values;

namespace Infra.Ovsdb.Transact;

/// <summary>The result of one operation: the new row's uuid (insert), rows (select) or a count (update, mutate, delete).</summary>
public sealed record OvsdbOperationResult(Guid? Uuid, IReadOnlyList<IReadOnlyDictionary<string, OvsdbValue>>? Rows, int? Count)
{
    /// <summary>Turns a "transact" result array into per-operation results, or throws the first error with its details.</summary>
    public static IReadOnlyList<OvsdbOperationResult> ParseAll(JsonElement result, int operationCount)
    {
        if (result.ValueKind != JsonValueKind.Array) throw new OvsdbFormatException("A transact result must be an array.");
        var list = new List<OvsdbOperationResult>();
        int i = 0;
        foreach (var e in result.EnumerateArray())
        {
            if (e.ValueKind == JsonValueKind.Object && e.TryGetProperty("error", out var err) && err.ValueKind == JsonValueKind.String)
            {
                var details = e.TryGetProperty("details", out var d) ? d.GetString() : null;
                var where = i < operationCount ? $"operation {i}" : "commit";
                throw new OvsdbTransactionException($"OVSDB transaction failed at {where}: {err.GetString()}{(details is null ? "" : ": " + details)}",
                    err.GetString()!, details);
            }
            if (i < operationCount) list.Add(ParseOne(e));
            i++;
        }
        return list;
    }

    private static OvsdbOperationResult ParseOne(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object) return new(null, null, null);
        Guid? uuid = e.TryGetProperty("uuid", out var u) && OvsdbValueCodec.Read(u) is OvsdbUuid id ? id.Value : null;
        int? count = e.TryGetProperty("count", out var c) ? c.GetInt32() : null;
        List<IReadOnlyDictionary<string, OvsdbValue>>? rows = null;
        if (e.TryGetProperty("rows", out var rs))
        {
            rows = [];
            foreach (var row in rs.EnumerateArray()) rows.Add(ReadRow(row));
        }
        return new(uuid, rows, count);
    }

    public static Dictionary<string, OvsdbValue> ReadRow(JsonElement row)
    {
        var d = new Dictionary<string, OvsdbValue>(StringComparer.Ordinal);
        foreach (var p in row.EnumerateObject()) d[p.Name] = OvsdbValueCodec.Read(p.Value);
        return d;
    }
}
