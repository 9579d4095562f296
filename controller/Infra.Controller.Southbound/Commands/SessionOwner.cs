using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Infra.Controller.Southbound.Commands;

/// <summary>
/// Who holds a host's session: the value of <c>/infra/southbound/sessions/&lt;host&gt;</c>, written by
/// the replica when the session starts, under that replica's lease (so it vanishes with the replica).
/// A replica that gets a command for a host it does not hold calls CommandRelay.Run at <see cref="Url"/>.
/// Encoded as one JSON object so operators can read it with etcdctl.
/// </summary>
public sealed record SessionOwner(
    [property: JsonPropertyName("replica")] string ReplicaId,
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("session")] string SessionId)
{
    public static string Key(string hostId) => StoreLayout.SessionOwner(hostId);

    public byte[] Encode() => JsonSerializer.SerializeToUtf8Bytes(this, Json.Default.SessionOwner);

    /// <summary>The record, or null when the bytes are not one (written by a newer or broken replica).</summary>
    public static SessionOwner? Decode(ReadOnlySpan<byte> bytes)
    {
        try
        {
            var o = JsonSerializer.Deserialize(bytes, Json.Default.SessionOwner);
            return o is { ReplicaId.Length: > 0, Url.Length: > 0, SessionId: not null } ? o : null;
        }
        catch (JsonException) { return null; }
    }

    public override string ToString() => Encoding.UTF8.GetString(Encode());
}

[JsonSerializable(typeof(SessionOwner))]
internal sealed partial class Json : JsonSerializerContext;
