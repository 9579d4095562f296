using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Infra.Agent.Core.Commands;

/// <summary>
/// What a snapshot's file name cannot say (was the guest frozen, for how long) is kept as a user
/// extended attribute on the overlay created at the snapshot, so a retried snapshot command answers
/// the same after an agent restart, still without a state file, and the mark goes with the file.
/// Best effort: on a filesystem without user xattrs the answer after a restart is "not quiesced, 0".
/// </summary>
public static class SnapshotMarks
{
    private const string Attribute = "user.infra.snapshot";

    /// <summary>Pure: the attribute's value.</summary>
    public static string Format(bool quiesced, ulong windowUs) => $"quiesced={(quiesced ? 1 : 0)};freeze_window_us={windowUs}";

    /// <summary>Pure: parses <see cref="Format"/>'s output; null when it is not that.</summary>
    public static (bool Quiesced, ulong WindowUs)? Parse(string value)
    {
        bool? quiesced = null; ulong? window = null;
        foreach (var part in value.Split(';'))
        {
            var kv = part.Split('=', 2);
            if (kv.Length != 2) return null;
            if (kv[0] == "quiesced" && kv[1] is "0" or "1") quiesced = kv[1] == "1";
            else if (kv[0] == "freeze_window_us" && ulong.TryParse(kv[1], NumberStyles.None, CultureInfo.InvariantCulture, out var w)) window = w;
        }
        return quiesced is { } q && window is { } us ? (q, us) : null;
    }

    /// <summary>Marks <paramref name="overlay"/>; false when the filesystem refuses.</summary>
    public static bool TryWrite(string overlay, bool quiesced, ulong windowUs)
    {
        var value = Encoding.ASCII.GetBytes(Format(quiesced, windowUs));
        return setxattr(overlay, Attribute, value, (nuint)value.Length, 0) == 0;
    }

    /// <summary>The mark on <paramref name="overlay"/>, or null when there is none (or no xattr support).</summary>
    public static (bool Quiesced, ulong WindowUs)? TryRead(string overlay)
    {
        var buffer = new byte[128];
        var n = getxattr(overlay, Attribute, buffer, (nuint)buffer.Length);
        return n <= 0 ? null : Parse(Encoding.ASCII.GetString(buffer, 0, (int)n));
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int setxattr([MarshalAs(UnmanagedType.LPUTF8Str)] string path, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, byte[] value, nuint size, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern nint getxattr([MarshalAs(UnmanagedType.LPUTF8Str)] string path, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, byte[] value, nuint size);
}
