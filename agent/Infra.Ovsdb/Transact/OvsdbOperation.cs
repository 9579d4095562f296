using System.Text.Json;
using Infra.Ovsdb.Codec;
using Infra.Ovsdb.Values;

namespace Infra.Ovsdb.Transact;

/// <summary>A condition [column, function, value] (RFC 7047 5.1), e.g. ("_uuid", "==", uuid).</summary>
public sealed record OvsdbCondition(string Column, string Function, OvsdbValue Value)
{
    public static OvsdbCondition UuidIs(Guid uuid) => new("_uuid", "==", new OvsdbUuid(uuid));
    public static OvsdbCondition Equal(string column, OvsdbValue value) => new(column, "==", value);
    public static OvsdbCondition Includes(string column, OvsdbValue value) => new(column, "includes", value);

    internal void Write(Utf8JsonWriter w)
    {
        w.WriteStartArray(); w.WriteStringValue(Column); w.WriteStringValue(Function); OvsdbValueCodec.Write(w, Value); w.WriteEndArray();
    }
}

/// <summary>A mutation [column, mutator, value], mutator one of += -= *= /= %= insert delete.</summary>
public sealed record OvsdbMutation(string Column, string Mutator, OvsdbValue Value)
{
    public static OvsdbMutation Insert(string column, OvsdbValue value) => new(column, "insert", value);
    public static OvsdbMutation Delete(string column, OvsdbValue value) => new(column, "delete", value);
    public static OvsdbMutation Add(string column, long amount) => new(column, "+=", new OvsdbInteger(amount));
}

/// <summary>One operation of a "transact" request (RFC 7047 5.2). Each knows how to write itself.</summary>
public abstract record OvsdbOperation
{
    internal abstract void Write(Utf8JsonWriter w);

    protected static void WriteRow(Utf8JsonWriter w, string name, IReadOnlyDictionary<string, OvsdbValue> row)
    {
        w.WritePropertyName(name); w.WriteStartObject();
        foreach (var (k, v) in row) { w.WritePropertyName(k); OvsdbValueCodec.Write(w, v); }
        w.WriteEndObject();
    }

    protected static void WriteWhere(Utf8JsonWriter w, IReadOnlyList<OvsdbCondition> where)
    {
        w.WritePropertyName("where"); w.WriteStartArray();
        foreach (var c in where) c.Write(w);
        w.WriteEndArray();
    }

    protected static void WriteColumns(Utf8JsonWriter w, IReadOnlyList<string>? columns)
    {
        if (columns is null) return;
        w.WritePropertyName("columns"); w.WriteStartArray();
        foreach (var c in columns) w.WriteStringValue(c);
        w.WriteEndArray();
    }
}

public sealed record InsertOp(string Table, IReadOnlyDictionary<string, OvsdbValue> Row, string? UuidName = null) : OvsdbOperation
{
    internal override void Write(Utf8JsonWriter w)
    {
        w.WriteStartObject(); w.WriteString("op", "insert"); w.WriteString("table", Table);
        WriteRow(w, "row", Row);
        if (UuidName is not null) w.WriteString("uuid-name", UuidName);
        w.WriteEndObject();
    }
}

public sealed record SelectOp(string Table, IReadOnlyList<OvsdbCondition> Where, IReadOnlyList<string>? Columns = null) : OvsdbOperation
{
    internal override void Write(Utf8JsonWriter w)
    {
        w.WriteStartObject(); w.WriteString("op", "select"); w.WriteString("table", Table);
        WriteWhere(w, Where); WriteColumns(w, Columns); w.WriteEndObject();
    }
}

public sealed record UpdateOp(string Table, IReadOnlyList<OvsdbCondition> Where, IReadOnlyDictionary<string, OvsdbValue> Row) : OvsdbOperation
{
    internal override void Write(Utf8JsonWriter w)
    {
        w.WriteStartObject(); w.WriteString("op", "update"); w.WriteString("table", Table);
        WriteWhere(w, Where); WriteRow(w, "row", Row); w.WriteEndObject();
    }
}

public sealed record MutateOp(string Table, IReadOnlyList<OvsdbCondition> Where, IReadOnlyList<OvsdbMutation> Mutations) : OvsdbOperation
{
    internal override void Write(Utf8JsonWriter w)
    {
        w.WriteStartObject(); w.WriteString("op", "mutate"); w.WriteString("table", Table);
        WriteWhere(w, Where);
        w.WritePropertyName("mutations"); w.WriteStartArray();
        foreach (var m in Mutations)
        {
            w.WriteStartArray(); w.WriteStringValue(m.Column); w.WriteStringValue(m.Mutator); OvsdbValueCodec.Write(w, m.Value); w.WriteEndArray();
        }
        w.WriteEndArray(); w.WriteEndObject();
    }
}

public sealed record DeleteOp(string Table, IReadOnlyList<OvsdbCondition> Where) : OvsdbOperation
{
    internal override void Write(Utf8JsonWriter w)
    {
        w.WriteStartObject(); w.WriteString("op", "delete"); w.WriteString("table", Table); WriteWhere(w, Where); w.WriteEndObject();
    }
}

/// <summary>Waits until the selected rows do (until "==") or do not ("!=") equal Rows, up to TimeoutMs (0 = fail at once).</summary>
public sealed record WaitOp(string Table, IReadOnlyList<OvsdbCondition> Where, IReadOnlyList<string> Columns, string Until,
    IReadOnlyList<IReadOnlyDictionary<string, OvsdbValue>> Rows, int? TimeoutMs = null) : OvsdbOperation
{
    internal override void Write(Utf8JsonWriter w)
    {
        w.WriteStartObject(); w.WriteString("op", "wait"); w.WriteString("table", Table);
        if (TimeoutMs is { } t) w.WriteNumber("timeout", t);
        WriteWhere(w, Where); WriteColumns(w, Columns); w.WriteString("until", Until);
        w.WritePropertyName("rows"); w.WriteStartArray();
        foreach (var row in Rows)
        {
            w.WriteStartObject();
            foreach (var (k, v) in row) { w.WritePropertyName(k); OvsdbValueCodec.Write(w, v); }
            w.WriteEndObject();
        }
        w.WriteEndArray(); w.WriteEndObject();
    }
}

public sealed record CommentOp(string Comment) : OvsdbOperation
{
    internal override void Write(Utf8JsonWriter w)
    {
        w.WriteStartObject(); w.WriteString("op", "comment"); w.WriteString("comment", Comment); w.WriteEndObject();
    }
}
