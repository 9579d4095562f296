namespace Infra.Grpc.Protocol;

/// <summary>Maps metadata to HTTP/2 header values and back: "-bin" values are base64 (sent unpadded,
/// read padded or not), and protocol headers are kept out of the application's metadata.</summary>
public static class MetadataCodec
{
    public static bool IsReserved(string key)
    {
        if (key.Length == 0 || key[0] == ':') return true;
        return key switch
        {
            "content-type" or "te" or "host" or "content-length" or "accept-encoding" or "grpc-timeout"
                or "grpc-encoding" or "grpc-accept-encoding" or "grpc-status" or "grpc-message" => true,
            _ => false,
        };
    }

    public static string EncodeValue(Metadata.Entry entry) =>
        entry.IsBinary ? Convert.ToBase64String(entry.ValueBytes).TrimEnd('=') : entry.Value;

    /// <summary>Adds one received header to the metadata; returns false when a -bin value is not base64.</summary>
    public static bool TryAdd(Metadata metadata, string key, string value)
    {
        key = key.ToLowerInvariant();
        if (!Metadata.IsBinaryKey(key))
        {
            metadata.Add(new Metadata.Entry(key, Sanitize(value)));
            return true;
        }
        // Several binary values may be folded into one header, comma-separated.
        foreach (var part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!TryDecodeBase64(part, out var bytes)) return false;
            metadata.Add(new Metadata.Entry(key, bytes));
        }
        return true;
    }

    public static bool TryDecodeBase64(string value, out byte[] bytes)
    {
        var padded = (value.Length % 4) switch { 2 => value + "==", 3 => value + "=", _ => value };
        bytes = new byte[padded.Length / 4 * 3];
        if (!Convert.TryFromBase64String(padded, bytes, out var written)) { bytes = Array.Empty<byte>(); return false; }
        if (written != bytes.Length) Array.Resize(ref bytes, written);
        return true;
    }

    static string Sanitize(string value)
    {
        foreach (var c in value) if (c < 0x20 || c > 0x7E) return new string(value.Where(ch => ch >= 0x20 && ch <= 0x7E).ToArray());
        return value;
    }
}
