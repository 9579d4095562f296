using System.Buffers;
using Infra.Grpc.Client;
using Infra.Grpc.Protocol;
using Infra.Grpc.Tests.Support;

namespace Infra.Grpc.Tests.Client;

public class MessageReaderTests
{
    static readonly Func<int, ReadOnlySequence<byte>, byte[]> Copy = static (_, payload) => payload.ToArray();

    static byte[] Frame(byte[] message, byte flag = 0)
    {
        var frame = new byte[GrpcFrame.HeaderSize + message.Length];
        GrpcFrame.WriteHeader(frame, false, message.Length);
        frame[0] = flag;
        message.CopyTo(frame, GrpcFrame.HeaderSize);
        return frame;
    }

    static byte[] Message(int size, int seed) => Enumerable.Range(0, size).Select(i => (byte)(i * 7 + seed)).ToArray();

    [Theory]
    // bytes handed out per stream read: frames split everywhere, and several frames per read
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(7)]
    [InlineData(4096)]
    [InlineData(100_000)]
    public async Task ReadAsync_MessagesSplitAcrossReads_ArriveIntact_AndTheBufferGoesBackOnce(int chunk)
    {
        // 10000 bytes is larger than the 64-byte initial buffer: the reader must grow it.
        var messages = new[] { Message(0, 1), Message(3, 2), Message(10_000, 3), Message(60, 4), Message(1, 5) };
        var pool = new CountingArrayPool();
        var reader = new MessageReader(new ChunkedStream(messages.SelectMany(m => Frame(m)).ToArray(), chunk), pool, initialSize: 64);
        foreach (var expected in messages)
        {
            var read = await reader.ReadAsync(Copy, 0, 1 << 20, default);
            Assert.Equal(MessageReadStatus.Message, read.Status);
            Assert.Equal(expected, read.Message);
        }
        Assert.Equal(MessageReadStatus.End, (await reader.ReadAsync(Copy, 0, 1 << 20, default)).Status);
        Assert.Equal(0, pool.Outstanding);
        Assert.Empty(pool.Errors);
        reader.Release();
        Assert.Empty(pool.Errors);
        Assert.Equal(MessageReadStatus.End, (await reader.ReadAsync(Copy, 0, 1 << 20, default)).Status);
    }

    [Theory]
    // body (hex), limit, expected status, expected Length
    [InlineData("0000000003AABB", 100, "Truncated", 7)]
    [InlineData("000000", 100, "Truncated", 3)]
    [InlineData("0000000065", 100, "TooLarge", 101)]
    [InlineData("00FFFFFFFF", int.MaxValue, "TooLarge", 4294967295)]
    [InlineData("0200000001FF", 100, "InvalidFlag", 0)]
    [InlineData("0100000001FF", 100, "Compressed", 1)]
    [InlineData("", 100, "End", 0)]
    public async Task ReadAsync_BadOrEndingBodies_AreReported(string hex, int max, string expected, long length)
    {
        var pool = new CountingArrayPool();
        var reader = new MessageReader(new ChunkedStream(Convert.FromHexString(hex), 2), pool);
        var read = await reader.ReadAsync(Copy, 0, max, default);
        Assert.Equal(expected, read.Status.ToString());
        Assert.Equal(length, read.Length);
        reader.Release();
        Assert.Equal(0, pool.Outstanding);
        Assert.Empty(pool.Errors);
    }

    [Fact]
    public async Task Release_WhileAReadAwaitsTheNetwork_ReturnsTheBufferOnlyWhenTheReadLeaves()
    {
        var pool = new CountingArrayPool();
        var stream = new StallingStream(Frame(Message(3, 9)));
        var reader = new MessageReader(stream, pool);
        Assert.Equal(MessageReadStatus.Message, (await reader.ReadAsync(Copy, 0, 100, default)).Status);
        using var cts = new CancellationTokenSource();
        var pending = reader.ReadAsync(Copy, 0, 100, cts.Token).AsTask();
        await stream.Stalled.WaitAsync(TimeSpan.FromSeconds(30));
        reader.Release();
        reader.Release();
        Assert.Equal(1, pool.Outstanding); // the read still writes into it
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        Assert.Equal(0, pool.Outstanding);
        Assert.Equal(1, pool.Returned);
        Assert.Empty(pool.Errors);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => reader.ReadAsync(Copy, 0, 100, default).AsTask());
    }

    [Fact]
    public async Task Release_BetweenReads_ReturnsTheBufferAtOnce_AndLaterReadsFail()
    {
        var pool = new CountingArrayPool();
        var reader = new MessageReader(new ChunkedStream(Frame(Message(3, 1)).Concat(Frame(Message(3, 2))).ToArray(), 100), pool);
        Assert.Equal(MessageReadStatus.Message, (await reader.ReadAsync(Copy, 0, 100, default)).Status);
        Assert.Equal(1, pool.Outstanding);
        reader.Release();
        Assert.Equal(0, pool.Outstanding);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => reader.ReadAsync(Copy, 0, 100, default).AsTask());
        reader.Release();
        Assert.Equal(1, pool.Returned);
        Assert.Empty(pool.Errors);
    }

    [Fact]
    public async Task ReadAsync_WhenParseThrows_KeepsTheReaderUsable_AndReleaseReturnsTheBuffer()
    {
        var pool = new CountingArrayPool();
        var reader = new MessageReader(new ChunkedStream(Frame(Message(3, 1)).Concat(Frame(Message(4, 2))).ToArray(), 100), pool);
        await Assert.ThrowsAsync<FormatException>(() => reader.ReadAsync<int, byte[]>(static (_, _) => throw new FormatException(), 0, 100, default).AsTask());
        Assert.Equal(Message(4, 2), (await reader.ReadAsync(Copy, 0, 100, default)).Message);
        Assert.Equal(MessageReadStatus.End, (await reader.ReadAsync(Copy, 0, 100, default)).Status);
        Assert.Equal(0, pool.Outstanding);
        Assert.Empty(pool.Errors);
    }

    [Fact]
    public async Task PooledArrays_ReusedByTheNextReader_LeaveEarlierMessagesIntact()
    {
        // CountingArrayPool hands the same array to the second reader and scribbles on return.
        var pool = new CountingArrayPool();
        var first = new MessageReader(new ChunkedStream(Frame(Message(100, 1)), 100), pool);
        var kept = (await first.ReadAsync(Copy, 0, 1000, default)).Message!;
        Assert.Equal(MessageReadStatus.End, (await first.ReadAsync(Copy, 0, 1000, default)).Status);
        var second = new MessageReader(new ChunkedStream(Frame(Message(100, 2)), 100), pool);
        Assert.Equal(Message(100, 2), (await second.ReadAsync(Copy, 0, 1000, default)).Message);
        Assert.Equal(Message(100, 1), kept);
        Assert.Equal(2, pool.Rented);
    }

    /// <summary>Hands out at most `chunk` bytes per read, then end of stream.</summary>
    sealed class ChunkedStream(byte[] data, int chunk) : Stream
    {
        int _pos;
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = Math.Min(Math.Min(chunk, buffer.Length), data.Length - _pos);
            data.AsSpan(_pos, n).CopyTo(buffer.Span);
            _pos += n;
            return ValueTask.FromResult(n);
        }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Gives its bytes, then blocks the next read until it is cancelled (a server that went quiet).</summary>
    sealed class StallingStream(byte[] data) : Stream
    {
        readonly TaskCompletionSource _stalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
        bool _given;
        public Task Stalled => _stalled.Task;
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!_given) { _given = true; data.CopyTo(buffer); return data.Length; }
            _stalled.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
