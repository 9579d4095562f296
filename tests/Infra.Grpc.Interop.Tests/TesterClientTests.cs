using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Infra.Grpc.Interop.Tests.V1;

namespace Infra.Grpc.Interop.Tests;

/// <summary>
/// Grpc.Net.Client (what every client of ours uses) for every call kind, run against any server that
/// implements tester.proto: the controller's shipped composition (h2c and TLS) and Python grpcio.
/// Subclasses provide the server.
/// </summary>
public abstract class TesterClientTests : IAsyncLifetime
{
    protected static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    protected GrpcChannel Channel = null!;
    protected Tester.TesterClient Client = null!;

    protected abstract Task StartServerAsync();
    protected abstract GrpcChannel CreateChannel(GrpcChannelOptions options);
    protected abstract Task StopServerAsync();

    public async Task InitializeAsync()
    {
        await StartServerAsync();
        Channel = CreateChannel(new GrpcChannelOptions());
        Client = new Tester.TesterClient(Channel);
    }

    public async Task DisposeAsync()
    {
        Channel?.Dispose();
        await StopServerAsync();
    }

    protected static CallOptions Timeout() => new(deadline: DateTime.UtcNow + Bound);

    [Fact]
    public async Task Unary_RoundTripsTheMessage()
    {
        var reply = await Client.UnaryAsync(new EchoRequest { Text = "hello", Payload = ByteString.CopyFromUtf8("abc") }, Timeout());
        Assert.Equal("hello", reply.Text);
        Assert.Equal("abc", reply.Payload.ToStringUtf8());
    }

    [Fact]
    public async Task Unary_WithWellKnownEmpty_Works()
    {
        var reply = await Client.PingAsync(new Empty(), Timeout());
        Assert.NotNull(reply);
    }

    [Fact]
    public async Task Unary_SendsMetadata_AndReceivesResponseHeadersAndTrailers()
    {
        var headers = new Metadata { { "x-echo", "value-1" }, { "x-bin-bin", new byte[] { 0, 200, 7 } } };
        using var call = Client.UnaryAsync(new EchoRequest { Text = "md" }, new CallOptions(headers, deadline: DateTime.UtcNow + Bound));
        var reply = await call;
        Assert.Equal("md", reply.Text);
        Assert.Equal("value-1", (await call.ResponseHeadersAsync).GetValue("x-echo-header"));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.Equal("value-1", call.GetTrailers().GetValue("x-echo-trailer"));
        Assert.Equal(new byte[] { 0, 200, 7 }, call.GetTrailers().GetValueBytes("x-bin-bin"));
    }

    [Fact]
    public async Task Unary_WhenServerFails_ThrowsRpcExceptionWithStatusMessageAndTrailers()
    {
        const string message = "bad precondition: 100% ü\nsecond line";
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await Client.UnaryAsync(new EchoRequest { FailCode = (int)StatusCode.FailedPrecondition, FailMessage = message }, Timeout()));
        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
        Assert.Equal(message, e.Status.Detail);
        Assert.Equal("yes", e.Trailers.GetValue("x-fail"));
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, e.Trailers.GetValueBytes("x-fail-bin"));
        Assert.Equal(Support.TesterService.Encoding(message), e.Trailers.GetValueBytes("grpc-status-details-bin"));
    }

    [Fact]
    public async Task ServerStream_Receives10000MessagesInOrder()
    {
        using var call = Client.ServerStream(new EchoRequest { Text = "s", Count = 10_000 }, Timeout());
        var expected = 0;
        await foreach (var reply in call.ResponseStream.ReadAllAsync())
            Assert.Equal(expected++, reply.Index);
        Assert.Equal(10_000, expected);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task ServerStream_WhenServerFailsAfterMessages_DeliversThemThenTheStatus()
    {
        using var call = Client.ServerStream(new EchoRequest { Count = 3, FailCode = (int)StatusCode.Aborted, FailMessage = "stop" }, Timeout());
        var received = 0;
        var e = await Assert.ThrowsAsync<RpcException>(async () => { while (await call.ResponseStream.MoveNext()) received++; });
        Assert.Equal(3, received);
        Assert.Equal(StatusCode.Aborted, e.StatusCode);
        Assert.Equal("stop", e.Status.Detail);
        Assert.Equal(StatusCode.Aborted, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task ClientStream_Sends10000Messages_ServerCountsThem()
    {
        using var call = Client.ClientStream(Timeout());
        for (var i = 0; i < 10_000; i++)
            await call.RequestStream.WriteAsync(new EchoRequest { Text = "c", Payload = ByteString.CopyFrom(new byte[10]) });
        await call.RequestStream.CompleteAsync();
        var reply = await call;
        Assert.Equal(10_000, reply.Index);
        Assert.Equal(100_000, reply.TotalBytes);
    }

    [Fact]
    public async Task ClientStream_ServerFailsBeforeClientCompletes_ClientSeesStatus_AndWritesFail()
    {
        using var call = Client.ClientStream(Timeout());
        await call.RequestStream.WriteAsync(new EchoRequest { FailCode = (int)StatusCode.Aborted, FailMessage = "early" });
        var e = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
        Assert.Equal(StatusCode.Aborted, e.StatusCode);
        Assert.Equal("early", e.Status.Detail);
        var w = await Assert.ThrowsAsync<RpcException>(() => call.RequestStream.WriteAsync(new EchoRequest()));
        Assert.Equal(StatusCode.Aborted, w.StatusCode);
    }

    [Fact]
    public async Task Duplex_EchoesEachMessageBeforeTheNextIsSent()
    {
        using var call = Client.Duplex(Timeout());
        for (var i = 0; i < 100; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Text = "d" + i });
            Assert.True(await call.ResponseStream.MoveNext());
            Assert.Equal("d" + i, call.ResponseStream.Current.Text);
            Assert.Equal(i, call.ResponseStream.Current.Index);
        }
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Duplex_ManyMessagesBothWays_WriterAndReaderConcurrently()
    {
        using var call = Client.Duplex(Timeout());
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < 10_000; i++) await call.RequestStream.WriteAsync(new EchoRequest { Text = "x", Payload = ByteString.CopyFrom(new byte[100]) });
            await call.RequestStream.CompleteAsync();
        });
        var count = 0;
        while (await call.ResponseStream.MoveNext()) count++;
        await writer.WaitAsync(Bound);
        Assert.Equal(10_000, count);
    }

    [Fact]
    public async Task Unary_3MBRequestAndReply_RoundTrip()
    {
        var payload = new byte[3 * 1024 * 1024];
        new Random(1).NextBytes(payload);
        var reply = await Client.UnaryAsync(new EchoRequest { Payload = ByteString.CopyFrom(payload) }, Timeout());
        Assert.Equal(payload, reply.Payload.ToByteArray());
    }

    [Fact]
    public async Task Unary_PastDeadline_ThrowsDeadlineExceeded()
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await Client.UnaryAsync(new EchoRequest { DelayMs = 20_000 }, new CallOptions(deadline: DateTime.UtcNow + TimeSpan.FromMilliseconds(300))).ResponseAsync.WaitAsync(Bound));
        Assert.Equal(StatusCode.DeadlineExceeded, e.StatusCode);
    }

    [Fact]
    public async Task Cancel_ByClient_ThrowsCancelled_AndServerTokenFires()
    {
        var key = Guid.NewGuid().ToString("N");
        using var cts = new CancellationTokenSource();
        var call = Client.WaitAsync(new EchoRequest { Text = key }, new CallOptions(cancellationToken: cts.Token, deadline: DateTime.UtcNow + Bound));
        // Cancel only once the server runs the call: a call cancelled before its HEADERS left never
        // reaches the server, and a fixed sleep was not always enough on a loaded machine.
        var state = "pending";
        for (var i = 0; i < 200 && state == "pending"; i++)
        {
            state = (await Client.UnaryAsync(new EchoRequest { Text = "probe:" + key }, Timeout())).Text;
            if (state == "pending") await Task.Delay(25);
        }
        Assert.Equal("started", state);
        cts.Cancel();
        var e = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
        Assert.Equal(StatusCode.Cancelled, e.StatusCode);

        for (var i = 0; i < 100 && state != "cancelled"; i++)
        {
            state = (await Client.UnaryAsync(new EchoRequest { Text = "probe:" + key }, Timeout())).Text;
            if (state != "cancelled") await Task.Delay(50);
        }
        Assert.Equal("cancelled", state);
    }

    [Fact]
    public async Task Receive_PastClientMaximum_ThrowsResourceExhausted()
    {
        using var small = CreateChannel(new GrpcChannelOptions { MaxReceiveMessageSize = 1024 * 1024 });
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await new Tester.TesterClient(small).UnaryAsync(new EchoRequest { ReplySize = 2 * 1024 * 1024 }, Timeout()));
        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
        Assert.Contains("maximum configured message size", e.Status.Detail);
    }

    [Fact]
    public async Task Send_PastServerMaximum_ServerAnswersResourceExhausted()
    {
        // Past the controller's limit (16 MB), and so past grpcio's default (4 MB) too.
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await Client.UnaryAsync(new EchoRequest { Payload = ByteString.CopyFrom(new byte[Infra.Controller.Hosting.GrpcServer.MaxMessageSize + 1]) }, Timeout()));
        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
    }

    [Fact]
    public async Task Send_PastClientMaximum_FailsLocallyWithResourceExhausted()
    {
        using var small = CreateChannel(new GrpcChannelOptions { MaxSendMessageSize = 1000 });
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await new Tester.TesterClient(small).UnaryAsync(new EchoRequest { Payload = ByteString.CopyFrom(new byte[2000]) }, Timeout()));
        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
        Assert.Contains("Sending message exceeds", e.Status.Detail);
    }

    [Fact]
    public async Task UnknownMethod_IsUnimplemented()
    {
        var bogus = new Method<EchoRequest, EchoReply>(MethodType.Unary, "infra.grpctest.v1.Tester", "NoSuchMethod", Marshallers.Create((EchoRequest m) => m.ToByteArray(), EchoRequest.Parser.ParseFrom), Marshallers.Create((EchoReply m) => m.ToByteArray(), EchoReply.Parser.ParseFrom));
        var e = await Assert.ThrowsAsync<RpcException>(async () => await Channel.CreateCallInvoker().AsyncUnaryCall(bogus, null, Timeout(), new EchoRequest()));
        Assert.Equal(StatusCode.Unimplemented, e.StatusCode);
        var bogusService = new Method<EchoRequest, EchoReply>(MethodType.Unary, "no.such.Service", "Foo", Marshallers.Create((EchoRequest m) => m.ToByteArray(), EchoRequest.Parser.ParseFrom), Marshallers.Create((EchoReply m) => m.ToByteArray(), EchoReply.Parser.ParseFrom));
        e = await Assert.ThrowsAsync<RpcException>(async () => await Channel.CreateCallInvoker().AsyncUnaryCall(bogusService, null, Timeout(), new EchoRequest()));
        Assert.Equal(StatusCode.Unimplemented, e.StatusCode);
    }

    [Fact]
    public async Task NestedMessageTypes_AreResolvedByTheGenerator()
    {
        var reply = await Client.NestedEchoAsync(new Nested.Types.Inner { Value = "in" }, Timeout());
        Assert.Equal("in", reply.Inner.Value);
    }
}
