using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Infra.Agent.Core.State;

/// <summary>
/// One atomically replaced file: header (magic, payload length, CRC-32 of the payload), then the
/// payload. Written as temp file + fsync + rename + fsync of the directory, so after a crash or power
/// loss the file holds either the old or the new content, never a mix; the checksum catches what the
/// filesystem did not (a truncated or zeroed file after an unclean mount).
/// </summary>
public static class StateFile
{
    private static ReadOnlySpan<byte> Magic => "INFRAST1"u8;
    private const int HeaderSize = 16;

    /// <summary>Writes <paramref name="payload"/> to <paramref name="path"/> atomically and durably.</summary>
    public static void Write(string path, ReadOnlySpan<byte> payload)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var tmp = path + ".tmp";
        var header = new byte[HeaderSize];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(12), Crc32.Compute(payload));
        using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            f.Write(header);
            f.Write(payload);
            f.Flush(flushToDisk: true);
        }
        File.Move(tmp, path, overwrite: true);
        FsyncDirectory(dir);
    }

    /// <summary>The payload, or null when the file is absent; throws <see cref="InvalidDataException"/> when it is damaged.</summary>
    public static byte[]? Read(string path)
    {
        // A leftover temp file is a write that never reached its rename: the old file is the truth.
        File.Delete(path + ".tmp");
        if (!File.Exists(path)) return null;
        var all = File.ReadAllBytes(path);
        if (all.Length < HeaderSize || !all.AsSpan(0, 8).SequenceEqual(Magic))
            throw new InvalidDataException($"{path}: not a state file (bad header)");
        var len = BinaryPrimitives.ReadInt32LittleEndian(all.AsSpan(8));
        if (len < 0 || len != all.Length - HeaderSize)
            throw new InvalidDataException($"{path}: length {all.Length - HeaderSize} does not match the header's {len} (torn write)");
        var payload = all.AsSpan(HeaderSize).ToArray();
        if (Crc32.Compute(payload) != BinaryPrimitives.ReadUInt32LittleEndian(all.AsSpan(12)))
            throw new InvalidDataException($"{path}: checksum mismatch (damaged file)");
        return payload;
    }

    private static void FsyncDirectory(string dir)
    {
        // Makes the rename itself durable; without it a power loss can bring back the old name.
        var fd = Open(dir, 0 /* O_RDONLY */);
        if (fd < 0) return;
        try { _ = Fsync(fd); } finally { _ = Close(fd); }
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);
    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int fd);
    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}

/// <summary>CRC-32 (IEEE 802.3, reflected, as zlib computes it).</summary>
public static class Crc32
{
    private static readonly uint[] Table = Build();

    private static uint[] Build()
    {
        var t = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }

    /// <summary>The checksum of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var c = 0xFFFFFFFFu;
        foreach (var b in data) c = Table[(c ^ b) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }
}
