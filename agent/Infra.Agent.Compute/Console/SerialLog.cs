namespace Infra.Agent.Compute.Console;

/// <summary>
/// A VM's console output on disk, capped so that a guest cannot fill the host's disk through its
/// serial port: <c>serial.log</c> grows to at most <see cref="MaxBytes"/>; a write that would take it
/// past that first renames it to <c>serial.log.1</c> (replacing the older one) and starts a new file.
/// So at most 2 × MaxBytes are on disk per VM, and the last MaxBytes of output are always there.
/// Writes go straight to the file (no buffer), so a tail read right after an append sees it.
/// One writer at a time (the VM's console pump); readers open the files shared.
/// </summary>
public sealed class SerialLog : IDisposable
{
    /// <summary>Bytes per file unless configured: two files, 2 MiB per VM at most.</summary>
    public const long DefaultMaxBytes = 1 << 20;
    /// <summary>The smallest cap: one console read (64 KiB) must fit in a file.</summary>
    public const long MinMaxBytes = 64 << 10;

    private readonly string _path;
    private FileStream _file;

    /// <summary>Opens (or creates) <paramref name="path"/> for appending; an existing file keeps its content.</summary>
    public SerialLog(string path, long maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, MinMaxBytes);
        (_path, MaxBytes) = (path, maxBytes);
        _file = Open(path);
    }

    /// <summary>The cap of each file.</summary>
    public long MaxBytes { get; }

    /// <summary>The rotated file beside <paramref name="path"/>.</summary>
    public static string Previous(string path) => path + ".1";

    /// <summary>Pure: whether appending <paramref name="incoming"/> bytes to a file of <paramref name="length"/> needs a rotation first.</summary>
    public static bool MustRotate(long length, long incoming, long maxBytes) => length > 0 && length + incoming > maxBytes;

    /// <summary>Appends, rotating first when the file would pass the cap; a single write above the cap keeps only its end.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        if (data.Length > MaxBytes) data = data[^(int)MaxBytes..];
        if (MustRotate(_file.Length, data.Length, MaxBytes)) Rotate();
        _file.Write(data);
    }

    private void Rotate()
    {
        _file.Dispose();
        File.Move(_path, Previous(_path), overwrite: true);
        _file = Open(_path);
    }

    private static FileStream Open(string path) =>
        new(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);

    /// <summary>Writes a line of the agent's own into the log (not guest output), e.g. where output was lost.</summary>
    public void Note(string text) => Append(System.Text.Encoding.UTF8.GetBytes($"\r\n[infra-agent] {text}\r\n"));

    /// <summary>
    /// Up to the last <paramref name="bytes"/> of the log, across the rotated and the current file,
    /// oldest first; <c>Truncated</c> when older output exists on disk than what is returned.
    /// </summary>
    public static (byte[] Data, bool Truncated) ReadTail(string path, int bytes)
    {
        var current = ReadEnd(path, bytes, out var currentLength);
        if (current.Length >= bytes) return (current, currentLength > current.Length || File.Exists(Previous(path)));
        var older = ReadEnd(Previous(path), bytes - current.Length, out var olderLength);
        var data = new byte[older.Length + current.Length];
        older.CopyTo(data, 0);
        current.CopyTo(data, older.Length);
        return (data, olderLength > older.Length);
    }

    private static byte[] ReadEnd(string path, int bytes, out long length)
    {
        try
        {
            using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            length = f.Length;
            var take = (int)Math.Min(length, bytes);
            f.Seek(-take, SeekOrigin.End);
            var buffer = new byte[take];
            f.ReadExactly(buffer);
            return buffer;
        }
        catch (FileNotFoundException) { length = 0; return []; }
        catch (DirectoryNotFoundException) { length = 0; return []; }
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _file.Dispose();
}
