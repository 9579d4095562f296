using System.Buffers;
using System.Text.Json;

namespace Infra.Qmp.Codec;

/// <summary>One message from a QMP server or a guest agent, classified by its top-level key.</summary>
public abstract record QmpMessage
{
    /// <summary>Parses one frame. Throws <see cref="QmpProtocolException"/> for JSON that is not a QMP message.</summary>
    public static QmpMessage Parse(ReadOnlySequence<byte> frame)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(frame); }
        catch (JsonException e) { throw new QmpProtocolException($"invalid JSON from peer: {e.Message}", e); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new QmpProtocolException($"expected a JSON object from peer, got {root.ValueKind}");
            string? id = root.TryGetProperty("id", out var idEl) ? IdText(idEl) : null;
            if (root.TryGetProperty("return", out var ret)) return new QmpReturn(id, ret.Clone());
            if (root.TryGetProperty("error", out var err))
                return new QmpError(id, Str(err, "class") ?? "GenericError", Str(err, "desc") ?? "");
            if (root.TryGetProperty("event", out var ev) && ev.ValueKind == JsonValueKind.String)
            {
                var data = root.TryGetProperty("data", out var d) ? d.Clone() : default;
                return new QmpEvent(ev.GetString()!, data, Timestamp(root));
            }
            if (root.TryGetProperty("QMP", out var greeting)) return new QmpGreeting(greeting.Clone());
            throw new QmpProtocolException($"unrecognised message from peer: {Truncate(root.GetRawText())}");
        }
    }

    public static QmpMessage Parse(byte[] frame) => Parse(new ReadOnlySequence<byte>(frame));

    private static string? IdText(JsonElement id) =>
        id.ValueKind == JsonValueKind.String ? id.GetString() : id.GetRawText();

    private static string? Str(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString() : null;

    private static DateTimeOffset Timestamp(JsonElement root)
    {
        if (!root.TryGetProperty("timestamp", out var ts) || ts.ValueKind != JsonValueKind.Object) return default;
        long s = ts.TryGetProperty("seconds", out var sec) && sec.TryGetInt64(out var sv) ? sv : 0;
        long us = ts.TryGetProperty("microseconds", out var mic) && mic.TryGetInt64(out var mv) ? mv : 0;
        return DateTimeOffset.FromUnixTimeSeconds(s).AddTicks(us * 10);
    }

    private static string Truncate(string s) => s.Length <= 200 ? s : s[..200] + "...";
}

/// <summary>The server's greeting: {"QMP": {"version": ..., "capabilities": [...]}}.</summary>
public sealed record QmpGreeting(JsonElement Qmp) : QmpMessage
{
    public string Version => Qmp.TryGetProperty("version", out var v) && v.TryGetProperty("qemu", out var q)
        ? $"{q.GetProperty("major")}.{q.GetProperty("minor")}.{q.GetProperty("micro")}" : "unknown";
}

/// <summary>A successful reply. Id is null for peers that do not echo ids (the guest agent).</summary>
public sealed record QmpReturn(string? Id, JsonElement Value) : QmpMessage;

/// <summary>An error reply with QMP's error class (GenericError, CommandNotFound, DeviceNotFound, ...).</summary>
public sealed record QmpError(string? Id, string Class, string Desc) : QmpMessage;

/// <summary>An asynchronous event such as STOP, RESUME, SHUTDOWN, JOB_STATUS_CHANGE or BLOCK_JOB_COMPLETED.</summary>
public sealed record QmpEvent(string Name, JsonElement Data, DateTimeOffset Timestamp) : QmpMessage;
