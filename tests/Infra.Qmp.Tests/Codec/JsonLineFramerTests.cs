using System.Buffers;
using System.Text;
using Infra.Qmp.Codec;

namespace Infra.Qmp.Tests.Codec;

public class JsonLineFramerTests
{
    private static byte[] B(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    [Theory]
    // {"a":1}\n
    [InlineData("7B 22 61 22 3A 31 7D 0A", new[] { "{\"a\":1}" }, 0)]
    // qemu's CRLF
    [InlineData("7B 7D 0D 0A", new[] { "{}" }, 0)]
    // guest agent's 0xFF sentinel before a reply, and a stray one between frames
    [InlineData("FF 7B 7D 0A FF FF 7B 7D 0A", new[] { "{}", "{}" }, 0)]
    // blank lines skipped
    [InlineData("0A 0D 0A 7B 7D 0A", new[] { "{}" }, 0)]
    // a complete frame then the start of the next: the rest stays buffered
    [InlineData("7B 7D 0A 7B 22 62", new[] { "{}" }, 3)]
    // nothing complete yet
    [InlineData("7B 22 61 22", new string[0], 4)]
    // UTF-8 inside strings passes through untouched: {"d":"é"}
    [InlineData("7B 22 64 22 3A 22 C3 A9 22 7D 0A", new[] { "{\"d\":\"é\"}" }, 0)]
    public void TryReadFrame_SplitsLinesAndKeepsRemainder(string hex, string[] expected, int remaining)
    {
        var buffer = new ReadOnlySequence<byte>(B(hex));
        var frames = new List<string>();
        while (JsonLineFramer.TryReadFrame(ref buffer, out var frame) == FrameStatus.Frame)
            frames.Add(Encoding.UTF8.GetString(frame.ToArray()));
        Assert.Equal(expected, frames);
        Assert.Equal(remaining, buffer.Length);
    }

    [Fact]
    public void TryReadFrame_WhenLineExceedsLimitWithoutNewline_ReportsTooLarge()
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes("{\"x\":\"" + new string('a', 100)));
        Assert.Equal(FrameStatus.TooLarge, JsonLineFramer.TryReadFrame(ref buffer, out _, maxFrameBytes: 64));
    }

    [Fact]
    public void TryReadFrame_AcrossSegments_FindsTheFrame()
    {
        var first = new Segment(Encoding.ASCII.GetBytes("{\"re"));
        var last = first.Append(Encoding.ASCII.GetBytes("turn\":{}}\n"));
        var buffer = new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        Assert.Equal(FrameStatus.Frame, JsonLineFramer.TryReadFrame(ref buffer, out var frame));
        Assert.Equal("{\"return\":{}}", Encoding.ASCII.GetString(frame.ToArray()));
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] data) => Memory = data;
        public Segment Append(byte[] data)
        {
            var next = new Segment(data) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
