using System.Text.Json;
using System.Text.Json.Nodes;

namespace Infra.Qmp.Codec;

/// <summary>
/// Encodes {"execute": NAME, "arguments": {...}, "id": ID} followed by a newline. Arguments may be
/// a JsonNode (sent as is), a dictionary (keys sent as written) or any object, whose property names
/// are turned into QMP's kebab-case ("NodeName" becomes "node-name").
/// </summary>
public static class QmpCommandEncoder
{
    public static readonly JsonSerializerOptions ArgumentOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.KebabCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public static byte[] Encode(string command, object? arguments, string? id, bool leadingSentinel = false)
    {
        if (string.IsNullOrWhiteSpace(command)) throw new ArgumentException("command name is empty", nameof(command));
        using var ms = new MemoryStream();
        if (leadingSentinel) ms.WriteByte(0xFF);
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteString("execute", command);
            if (arguments is not null)
            {
                w.WritePropertyName("arguments");
                var node = arguments as JsonNode ?? JsonSerializer.SerializeToNode(arguments, arguments.GetType(), ArgumentOptions);
                if (node is not JsonObject) throw new ArgumentException($"arguments of {command} must be a JSON object", nameof(arguments));
                node.WriteTo(w);
            }
            if (id is not null) w.WriteString("id", id);
            w.WriteEndObject();
        }
        ms.WriteByte((byte)'\n');
        return ms.ToArray();
    }
}
