using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;

namespace Infra.Grpc.Protocol;

public enum FrameReadResult
{
    /// <summary>Not a whole frame yet: read more bytes and call again.</summary>
    Incomplete,
    /// <summary>A whole frame was read and the buffer advanced past it.</summary>
    Complete,
    /// <summary>The declared length exceeds the configured maximum (RESOURCE_EXHAUSTED).</summary>
    TooLarge,
    /// <summary>The compressed-flag byte is neither 0 nor 1 (INTERNAL).</summary>
    InvalidFlag,
}

/// <summary>
/// The gRPC length-prefixed message: 1 byte compressed flag, 4 bytes big-endian length, then the
/// message. Pure: no I/O, works on ReadOnlySequence so a frame may span pipe segments, and checks the
/// size limit before any bytes of the message arrive so a hostile peer cannot make us buffer it.
/// </summary>
public static class GrpcFrame
{
    public const int HeaderSize = 5;

    public static FrameReadResult TryRead(ref ReadOnlySequence<byte> buffer, int maxMessageSize,
        out ReadOnlySequence<byte> message, out bool compressed, out long declaredLength)
    {
        message = default;
        compressed = false;
        declaredLength = 0;
        if (buffer.Length < HeaderSize) return FrameReadResult.Incomplete;

        Span<byte> header = stackalloc byte[HeaderSize];
        buffer.Slice(0, HeaderSize).CopyTo(header);
        if (header[0] > 1) return FrameReadResult.InvalidFlag;
        compressed = header[0] == 1;
        declaredLength = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (declaredLength > maxMessageSize) return FrameReadResult.TooLarge;
        if (buffer.Length < HeaderSize + declaredLength) return FrameReadResult.Incomplete;

        message = buffer.Slice(HeaderSize, declaredLength);
        buffer = buffer.Slice(HeaderSize + declaredLength);
        return FrameReadResult.Complete;
    }

    public static void WriteHeader(Span<byte> destination, bool compressed, int length)
    {
        destination[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], (uint)length);
    }

    /// <summary>Serializes one message, prefix included, straight into the writer (no intermediate array).
    /// Returns the message size, or -1 without writing anything when it exceeds maxMessageSize.</summary>
    public static int Write(IBufferWriter<byte> writer, IMessage message, int maxMessageSize)
    {
        var size = message.CalculateSize();
        if (size > maxMessageSize) return -1;
        var span = writer.GetSpan(HeaderSize + size);
        WriteHeader(span, false, size);
        message.WriteTo(span.Slice(HeaderSize, size));
        writer.Advance(HeaderSize + size);
        return size;
    }
}
