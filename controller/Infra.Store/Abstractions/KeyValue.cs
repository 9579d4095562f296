using System.Text;

namespace Infra.Store;

/// <summary>
/// One key's state at a revision, shaped exactly like etcd's mvccpb.KeyValue so an etcd
/// backend maps field for field. Keys and values are raw bytes; <see cref="KeyString"/>
/// is a convenience for the string-with-prefix key scheme the controller uses.
/// </summary>
public sealed record KeyValue(
    byte[] Key,
    byte[] Value,
    long CreateRevision,
    long ModRevision,
    long Version,
    long Lease)
{
    public string KeyString => Encoding.UTF8.GetString(Key);
    public string ValueString => Encoding.UTF8.GetString(Value);
}

/// <summary>Every response carries the store revision it was served at (etcd ResponseHeader.revision).</summary>
public readonly record struct ResponseHeader(long Revision);

/// <summary>Helpers for the string key scheme and etcd's range-end conventions.</summary>
public static class Keys
{
    /// <summary>range_end = "\0" with a key means "every key >= key" (etcd convention).</summary>
    public static readonly byte[] AllFrom = [0];

    public static byte[] Of(string key) => Encoding.UTF8.GetBytes(key);

    /// <summary>
    /// The range_end that selects every key starting with <paramref name="prefix"/>: the prefix with
    /// its last byte below 0xff incremented (etcd's clientv3.GetPrefixRangeEnd).
    /// </summary>
    public static byte[] PrefixEnd(byte[] prefix)
    {
        var end = (byte[])prefix.Clone();
        for (var i = end.Length - 1; i >= 0; i--)
        {
            if (end[i] < 0xff)
            {
                end[i]++;
                return end.AsSpan(0, i + 1).ToArray();
            }
        }
        // All 0xff (or empty): every key from the prefix on.
        return AllFrom;
    }

    public static byte[] PrefixEnd(string prefix) => PrefixEnd(Of(prefix));

    /// <summary>Is <paramref name="key"/> inside [key, rangeEnd) using etcd's conventions?</summary>
    public static bool InRange(ReadOnlySpan<byte> key, byte[] start, byte[]? rangeEnd)
    {
        if (rangeEnd is null || rangeEnd.Length == 0) return key.SequenceEqual(start);
        if (key.SequenceCompareTo(start) < 0) return false;
        if (rangeEnd.Length == 1 && rangeEnd[0] == 0) return true;
        return key.SequenceCompareTo(rangeEnd) < 0;
    }
}
