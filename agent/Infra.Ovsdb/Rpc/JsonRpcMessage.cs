using System.Text.Json;
using Infra.Ovsdb.Codec;

namespace Infra.Ovsdb.Rpc;

/// <summary>
/// One decoded JSON-RPC 1.0 message as OVSDB uses it (RFC 7047 4.1): a request (method + id),
/// a notification (method, id null) or a response (result or error, id). Ids are kept as raw JSON
/// because the server's own requests (echo) may use any JSON value as id.
/// </summary>
public sealed record JsonRpcMessage(string? Method, JsonElement Params, string? IdJson, JsonElement Result, JsonElement Error)
{
    public bool IsResponse => Method is null;
    public bool IsNotification => Method is not null && IdJson is null;
    public bool HasError => Error.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined);

    /// <summary>Parses one frame found by <see cref="JsonRpcFramer"/>. Elements are cloned, so the frame's buffer can be reused.</summary>
    public static JsonRpcMessage Parse(ReadOnlySpan<byte> frame)
    {
        var r = new Utf8JsonReader(frame);
        JsonElement root;
        try { root = JsonElement.ParseValue(ref r); }
        catch (JsonException ex) { throw new OvsdbFormatException($"Malformed JSON-RPC message: {ex.Message}"); }
        if (root.ValueKind != JsonValueKind.Object) throw new OvsdbFormatException("A JSON-RPC message must be an object.");
        string? method = root.TryGetProperty("method", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
        string? id = root.TryGetProperty("id", out var i) && i.ValueKind != JsonValueKind.Null ? i.GetRawText() : null;
        var p = root.TryGetProperty("params", out var pp) ? pp : default;
        var res = root.TryGetProperty("result", out var rr) ? rr : default;
        var err = root.TryGetProperty("error", out var ee) ? ee : default;
        if (method is null && id is null) throw new OvsdbFormatException("A JSON-RPC response must carry an id.");
        return new JsonRpcMessage(method, p, id, res, err);
    }

    public static byte[] EncodeRequest(string method, long? id, Action<Utf8JsonWriter> writeParams)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteString("method", method);
            w.WritePropertyName("params");
            w.WriteStartArray(); writeParams(w); w.WriteEndArray();
            w.WritePropertyName("id");
            if (id is { } v) w.WriteNumberValue(v); else w.WriteNullValue();
            w.WriteEndObject();
        }
        return ms.ToArray();
    }

    public static byte[] EncodeResponse(string idJson, JsonElement result)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WritePropertyName("id"); w.WriteRawValue(idJson);
            w.WritePropertyName("result");
            if (result.ValueKind == JsonValueKind.Undefined) w.WriteNullValue(); else result.WriteTo(w);
            w.WriteNull("error");
            w.WriteEndObject();
        }
        return ms.ToArray();
    }
}
