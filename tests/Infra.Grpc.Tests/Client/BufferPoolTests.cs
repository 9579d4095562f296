using Google.Protobuf;
using Infra.Grpc.Tests.Support;
using Infra.Grpc.Tests.V1;

namespace Infra.Grpc.Tests.Client;

/// <summary>
/// Our client against our server with a counting buffer pool: every array the client rents for
/// request frames and response reads goes back exactly once, whether the call completes, fails,
/// is cancelled mid-read, passes its deadline, or is disposed half-read.
/// </summary>
public sealed class BufferPoolTests : IClassFixture<OurServerFixture>, IDisposable
{
    static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    readonly CountingArrayPool _pool = new();
    readonly GrpcChannel _channel;
    readonly Tester.TesterClient _client;
    readonly CancellationProbe _probe;

    public BufferPoolTests(OurServerFixture fixture)
    {
        _channel = fixture.Server.CreateChannel(new GrpcChannelOptions { BufferPool = _pool });
        _client = new Tester.TesterClient(_channel);
        _probe = fixture.Server.Probe;
    }

    public void Dispose() => _channel.Dispose();

    async Task AssertAllReturnedAsync(bool mustHaveRented = true)
    {
        Assert.Equal(0, await _pool.OutstandingAfterAsync(Bound));
        Assert.Empty(_pool.Errors);
        if (mustHaveRented) Assert.True(_pool.Rented > 0);
    }

    [Fact]
    public async Task UnaryCalls_Concurrent_GetTheirOwnRepliesIntact_AndReturnEveryBuffer()
    {
        // Replies of different sizes reuse each other's arrays; each must come back as sent.
        var calls = Enumerable.Range(0, 200).Select(async i =>
        {
            var payload = ByteString.CopyFrom(Enumerable.Range(0, i * 37).Select(b => (byte)(b + i)).ToArray());
            var reply = await _client.UnaryAsync(new EchoRequest { Text = $"u{i}", Payload = payload }, new CallOptions(Timeout: Bound));
            Assert.Equal($"u{i}", reply.Text);
            Assert.Equal(payload, reply.Payload);
        });
        await Task.WhenAll(calls);
        await AssertAllReturnedAsync();
    }

    [Fact]
    public async Task ServerStream_MessagesLargerThanTheReadBuffer_ArriveIntact_AndTheBufferGoesBack()
    {
        using var call = _client.ServerStream(new EchoRequest { Text = "big", Count = 20, ReplySize = 100_000 }, new CallOptions(Timeout: Bound));
        var n = 0;
        while (await call.ResponseStream.MoveNext())
        {
            Assert.Equal(n++, call.ResponseStream.Current.Index);
            Assert.Equal(100_000, call.ResponseStream.Current.Payload.Length);
        }
        Assert.Equal(20, n);
        await AssertAllReturnedAsync();
    }

    [Fact]
    public async Task Unary_CancelledBeforeTheReply_ReturnsEveryBuffer()
    {
        using var cts = new CancellationTokenSource();
        var call = _client.WaitAsync(new EchoRequest { Text = "pool-wait" }, new CallOptions(CancellationToken: cts.Token, Timeout: Bound));
        await _probe.Started("pool-wait").WaitAsync(Bound);
        cts.Cancel();
        var e = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
        Assert.Equal(StatusCode.Cancelled, e.StatusCode);
        await AssertAllReturnedAsync();
    }

    [Fact]
    public async Task Duplex_CancelledWhileAReadAwaitsTheServer_ReturnsTheBufferWhenTheReadLeaves()
    {
        using var cts = new CancellationTokenSource();
        using var call = _client.Duplex(new CallOptions(CancellationToken: cts.Token, Timeout: Bound));
        await call.RequestStream.WriteAsync(new EchoRequest { Text = "d1" });
        Assert.True(await call.ResponseStream.MoveNext());
        var read = call.ResponseStream.MoveNext(); // the server answers nothing more until we write
        await Task.Delay(200);
        Assert.False(read.IsCompleted);
        cts.Cancel();
        var e = await Assert.ThrowsAsync<RpcException>(() => read.WaitAsync(Bound));
        Assert.Equal(StatusCode.Cancelled, e.StatusCode);
        await AssertAllReturnedAsync();
    }

    [Fact]
    public async Task Duplex_DisposedWhileAReadAwaitsTheServer_ReturnsTheBufferOnceTheReadLeaves()
    {
        var call = _client.Duplex(new CallOptions(Timeout: Bound));
        await call.RequestStream.WriteAsync(new EchoRequest { Text = "d2" });
        Assert.True(await call.ResponseStream.MoveNext());
        var read = call.ResponseStream.MoveNext();
        await Task.Delay(200);
        Assert.False(read.IsCompleted);
        call.Dispose(); // releases the reader from this thread while the read is still in it
        await Assert.ThrowsAsync<RpcException>(() => read.WaitAsync(Bound));
        await AssertAllReturnedAsync();
    }

    [Fact]
    public async Task Unary_PastItsDeadline_ReturnsEveryBuffer()
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await _client.UnaryAsync(new EchoRequest { Text = "slow", DelayMs = 5_000 }, new CallOptions(Timeout: TimeSpan.FromMilliseconds(100))));
        Assert.Equal(StatusCode.DeadlineExceeded, e.StatusCode);
        // On a loaded machine the deadline may pass before the request frame was even rented.
        await AssertAllReturnedAsync(mustHaveRented: false);
    }

    [Fact]
    public async Task ServerStream_DisposedHalfRead_ReturnsTheBuffer()
    {
        var call = _client.ServerStream(new EchoRequest { Text = "half", Count = 1000, ReplySize = 1000 }, new CallOptions(Timeout: Bound));
        for (var i = 0; i < 3; i++) Assert.True(await call.ResponseStream.MoveNext());
        call.Dispose();
        await AssertAllReturnedAsync();
    }

    [Fact]
    public async Task Unary_FailedByTheServer_ReturnsEveryBuffer()
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await _client.UnaryAsync(new EchoRequest { FailCode = (int)StatusCode.NotFound, FailMessage = "no" }, new CallOptions(Timeout: Bound)));
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        await AssertAllReturnedAsync();
    }

    [Fact]
    public async Task ClientStream_Writes_ReturnEveryFrameBuffer()
    {
        using var call = _client.ClientStream(new CallOptions(Timeout: Bound));
        for (var i = 0; i < 50; i++) await call.RequestStream.WriteAsync(new EchoRequest { Text = "c", Payload = ByteString.CopyFrom(new byte[i * 100]) });
        await call.RequestStream.CompleteAsync();
        var reply = await call;
        Assert.Equal(50, reply.Index);
        Assert.Equal(Enumerable.Range(0, 50).Sum(i => i * 100L), reply.TotalBytes);
        await AssertAllReturnedAsync();
    }
}
