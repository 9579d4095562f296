using System.Text.Json;

namespace Infra.Ovsdb.Codec;

/// <summary>
/// Finds message boundaries in an OVSDB stream. RFC 7047 JSON-RPC has no length prefix: messages
/// are JSON objects written back to back, so a frame ends where its outermost object closes.
/// Pure: it looks at bytes and answers "frame of N bytes after S bytes of whitespace" or "incomplete".
/// </summary>
public static class JsonRpcFramer
{
    public const int DefaultMaxFrame = 64 * 1024 * 1024;

    /// <returns>true with the frame's start and length when a whole object is present.</returns>
    public static bool TryFindFrame(ReadOnlySpan<byte> buffer, out int start, out int length, int maxFrame = DefaultMaxFrame)
    {
        start = 0; length = 0;
        while (start < buffer.Length && buffer[start] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t') start++;
        if (start == buffer.Length) return false;
        if (buffer[start] != (byte)'{') throw new OvsdbFormatException($"A JSON-RPC message must be an object; found byte 0x{buffer[start]:x2}.");
        var span = buffer[start..];
        var r = new Utf8JsonReader(span, isFinalBlock: false, state: default);
        try
        {
            if (!r.Read() || !r.TrySkip())
            {
                if (span.Length > maxFrame) throw new OvsdbFormatException($"JSON-RPC message exceeds the {maxFrame}-byte limit.");
                return false;
            }
        }
        catch (JsonException ex)
        {
            throw new OvsdbFormatException($"Malformed JSON-RPC message: {ex.Message}");
        }
        length = checked((int)r.BytesConsumed);
        if (length > maxFrame) throw new OvsdbFormatException($"JSON-RPC message exceeds the {maxFrame}-byte limit.");
        return true;
    }
}
