using System.Buffers;

namespace Infra.Qmp.Codec;

/// <summary>Outcome of looking for one frame in the bytes received so far.</summary>
public enum FrameStatus { Incomplete, Frame, TooLarge }

/// <summary>
/// Splits the QMP / guest-agent byte stream into JSON texts. Both peers send one JSON object per line
/// (qemu ends lines with "\r\n"). The guest agent may put a 0xFF sentinel before a reply to
/// guest-sync-delimited; a 0xFF byte can never occur in UTF-8 JSON, so it is skipped wherever it
/// appears before a frame. Blank lines are skipped. Pure: no I/O, no allocation beyond the slice.
/// </summary>
public static class JsonLineFramer
{
    public const int DefaultMaxFrameBytes = 16 * 1024 * 1024;

    public static FrameStatus TryReadFrame(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> frame,
        int maxFrameBytes = DefaultMaxFrameBytes)
    {
        frame = default;
        while (true)
        {
            SkipSeparators(ref buffer);
            if (buffer.IsEmpty) return FrameStatus.Incomplete;
            var newline = buffer.PositionOf((byte)'\n');
            if (newline is null)
                return buffer.Length > maxFrameBytes ? FrameStatus.TooLarge : FrameStatus.Incomplete;
            var line = buffer.Slice(0, newline.Value);
            buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
            if (line.Length > maxFrameBytes) return FrameStatus.TooLarge;
            line = TrimEnd(line);
            if (line.IsEmpty) continue;
            frame = line;
            return FrameStatus.Frame;
        }
    }

    private static void SkipSeparators(ref ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        while (reader.TryPeek(out var b) && (b == 0xFF || b == (byte)'\r' || b == (byte)'\n' || b == (byte)' ' || b == (byte)'\t'))
            reader.Advance(1);
        buffer = buffer.Slice(reader.Position);
    }

    private static ReadOnlySequence<byte> TrimEnd(ReadOnlySequence<byte> line)
    {
        // Lines are short relative to segments; trimming works on the flattened tail only when needed.
        while (!line.IsEmpty)
        {
            var last = line.Slice(line.Length - 1).FirstSpan[0];
            if (last is not ((byte)'\r' or (byte)' ' or (byte)'\t')) break;
            line = line.Slice(0, line.Length - 1);
        }
        return line;
    }
}
