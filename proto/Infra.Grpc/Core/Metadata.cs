using System.Collections;

namespace Infra.Grpc;

/// <summary>
/// gRPC metadata (request headers, response headers or trailers): an ordered multi-map of lowercase
/// ASCII keys. Keys ending in "-bin" carry bytes (base64 on the wire); all others carry ASCII strings.
/// </summary>
public sealed class Metadata : IReadOnlyList<Metadata.Entry>
{
    public const string BinarySuffix = "-bin";
    public const string StatusDetailsKey = "grpc-status-details-bin";

    readonly List<Entry> _entries = new();

    public int Count => _entries.Count;
    public Entry this[int index] => _entries[index];

    public Metadata Add(string key, string value) { _entries.Add(new Entry(key, value)); return this; }
    public Metadata Add(string key, byte[] value) { _entries.Add(new Entry(key, value)); return this; }
    public Metadata Add(Entry entry) { _entries.Add(entry); return this; }

    /// <summary>The last entry with this key, or null.</summary>
    public Entry? Get(string key)
    {
        for (var i = _entries.Count - 1; i >= 0; i--)
            if (string.Equals(_entries[i].Key, key, StringComparison.OrdinalIgnoreCase)) return _entries[i];
        return null;
    }

    public string? GetValue(string key) => Get(key)?.Value;
    public byte[]? GetBytes(string key) => Get(key)?.ValueBytes;

    public IEnumerable<Entry> GetAll(string key)
    {
        foreach (var e in _entries)
            if (string.Equals(e.Key, key, StringComparison.OrdinalIgnoreCase)) yield return e;
    }

    public bool Remove(string key) => _entries.RemoveAll(e => string.Equals(e.Key, key, StringComparison.OrdinalIgnoreCase)) > 0;

    public List<Entry>.Enumerator GetEnumerator() => _entries.GetEnumerator();
    IEnumerator<Entry> IEnumerable<Entry>.GetEnumerator() => _entries.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => _entries.GetEnumerator();

    /// <summary>One key with either a string value or, for "-bin" keys, a byte value.</summary>
    public sealed class Entry
    {
        readonly string? _value;
        readonly byte[]? _bytes;

        public Entry(string key, string value)
        {
            Key = NormalizeKey(key);
            if (IsBinaryKey(Key)) throw new ArgumentException($"Metadata key '{key}' ends with -bin; pass a byte[] value.", nameof(key));
            foreach (var c in value)
                if (c < 0x20 || c > 0x7E) throw new ArgumentException($"Metadata value for '{key}' must be printable ASCII; use a -bin key for other data.", nameof(value));
            _value = value;
        }

        public Entry(string key, byte[] value)
        {
            Key = NormalizeKey(key);
            if (!IsBinaryKey(Key)) throw new ArgumentException($"Metadata key '{key}' must end with -bin to carry bytes.", nameof(key));
            _bytes = value;
        }

        public string Key { get; }
        public bool IsBinary => _bytes is not null;
        public string Value => _value ?? throw new InvalidOperationException($"Metadata entry '{Key}' is binary; read ValueBytes.");
        public byte[] ValueBytes => _bytes ?? System.Text.Encoding.ASCII.GetBytes(_value!);

        public override string ToString() => IsBinary ? $"{Key}=[{_bytes!.Length} bytes]" : $"{Key}={_value}";
    }

    public static bool IsBinaryKey(string key) => key.EndsWith(BinarySuffix, StringComparison.OrdinalIgnoreCase);

    static string NormalizeKey(string key)
    {
        if (string.IsNullOrEmpty(key)) throw new ArgumentException("Metadata key must not be empty.", nameof(key));
        foreach (var c in key)
        {
            var ok = c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '-' or '_' or '.';
            if (!ok) throw new ArgumentException($"Metadata key '{key}' may only contain 0-9 a-z _ - . characters.", nameof(key));
        }
        return key.ToLowerInvariant();
    }
}
