using System.Buffers;
using Infra.Grpc.Protocol;

namespace Infra.Grpc.Tests.Protocol;

public class GrpcFrameTests
{
    [Theory]
    // bytes (hex), max size, expected result, expected payload (hex), compressed, bytes left after
    [InlineData("", 100, FrameReadResult.Incomplete, "", false, 0)]
    [InlineData("00000000", 100, FrameReadResult.Incomplete, "", false, 4)]
    [InlineData("0000000000", 100, FrameReadResult.Complete, "", false, 0)]
    [InlineData("0000000003AABBCC", 100, FrameReadResult.Complete, "AABBCC", false, 0)]
    [InlineData("0000000003AABBCC00", 100, FrameReadResult.Complete, "AABBCC", false, 1)]
    [InlineData("0000000003AABB", 100, FrameReadResult.Incomplete, "", false, 7)]
    [InlineData("0100000001FF", 100, FrameReadResult.Complete, "FF", true, 0)]
    [InlineData("0200000001FF", 100, FrameReadResult.InvalidFlag, "", false, 6)]
    [InlineData("0000000065", 100, FrameReadResult.TooLarge, "", false, 5)]
    [InlineData("00FFFFFFFF", int.MaxValue, FrameReadResult.TooLarge, "", false, 5)]
    [InlineData("0000000064", 100, FrameReadResult.Incomplete, "", false, 5)]
    public void TryRead_ParsesOneFrame(string hex, int max, FrameReadResult expected, string payloadHex, bool compressed, int left)
    {
        var buffer = new ReadOnlySequence<byte>(Convert.FromHexString(hex));
        var result = GrpcFrame.TryRead(ref buffer, max, out var payload, out var c, out _);
        Assert.Equal(expected, result);
        Assert.Equal(left, buffer.Length);
        if (result == FrameReadResult.Complete)
        {
            Assert.Equal(payloadHex, Convert.ToHexString(payload.ToArray()));
            Assert.Equal(compressed, c);
        }
    }

    [Fact]
    public void TryRead_FrameSpanningSegments_IsReadWhole()
    {
        var first = new Segment(new byte[] { 0, 0, 0 });
        var last = first.Append(new byte[] { 0, 2, 7 }).Append(new byte[] { 9 });
        var buffer = new ReadOnlySequence<byte>(first, 0, last, 1);
        Assert.Equal(FrameReadResult.Complete, GrpcFrame.TryRead(ref buffer, 10, out var payload, out _, out var length));
        Assert.Equal(2, length);
        Assert.Equal(new byte[] { 7, 9 }, payload.ToArray());
    }

    [Theory]
    [InlineData(false, 0, "0000000000")]
    [InlineData(false, 3, "0000000003")]
    [InlineData(true, 0x01020304, "0101020304")]
    public void WriteHeader_IsFlagThenBigEndianLength(bool compressed, int length, string hex)
    {
        var header = new byte[5];
        GrpcFrame.WriteHeader(header, compressed, length);
        Assert.Equal(hex, Convert.ToHexString(header));
    }

    [Fact]
    public void Write_PastMaximum_WritesNothing()
    {
        var writer = new ArrayBufferWriter<byte>();
        var message = new Google.Protobuf.WellKnownTypes.StringValue { Value = "0123456789" };
        Assert.Equal(-1, GrpcFrame.Write(writer, message, 5));
        Assert.Equal(0, writer.WrittenCount);
        Assert.Equal(12, GrpcFrame.Write(writer, message, 100));
        Assert.Equal("000000000C0A0A30313233343536373839", Convert.ToHexString(writer.WrittenSpan));
    }

    sealed class Segment : ReadOnlySequenceSegment<byte>
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
