using System.Text.Json;
using System.Text.Json.Serialization;

namespace Infra.Flows.Model;

/// <summary>The JSON shape of <see cref="HostState"/>: camelCase, enums as lower-case strings.</summary>
public static class HostStateJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static HostState Parse(string json) =>
        JsonSerializer.Deserialize<HostState>(json, Options) ?? throw new JsonException("host state JSON is null");

    public static string Write(HostState state) => JsonSerializer.Serialize(state, Options);
}
