using System.Collections.Concurrent;
using Infra.Grpc.Tests.Support;
using Infra.Grpc.Tests.V1;

namespace Infra.Grpc.Tests.Client;

/// <summary>
/// A call that has read its whole response releases the HTTP response itself, without the caller
/// disposing it: SocketsHttpHandler's response stream is finalizable, and leaving it to the GC made
/// every call survive a collection (the client's old latency tail). Watched through a handler that
/// records the responses SocketsHttpHandler returns, against our server.
/// </summary>
public sealed class ResponseReleaseTests : IClassFixture<OurServerFixture>, IDisposable
{
    static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    readonly RecordingHandler _handler = new(new SocketsHttpHandler());
    readonly GrpcChannel _channel;
    readonly Tester.TesterClient _client;

    public ResponseReleaseTests(OurServerFixture fixture)
    {
        _channel = fixture.Server.CreateChannel(new GrpcChannelOptions { HttpHandler = _handler });
        _client = new Tester.TesterClient(_channel);
    }

    public void Dispose() => _channel.Dispose();

    static async Task<bool> IsReleasedAsync(HttpResponseMessage response)
    {
        try { await response.Content.ReadAsStreamAsync(); return false; }
        catch (ObjectDisposedException) { return true; }
    }

    [Fact]
    public async Task UnaryCall_NotDisposedByTheCaller_ReleasesItsResponseOnceTheReplyIsRead()
    {
        var reply = await _client.UnaryAsync(new EchoRequest { Text = "r" }, new CallOptions(Timeout: Bound));
        Assert.Equal("r", reply.Text);
        Assert.True(await IsReleasedAsync(Assert.Single(_handler.Responses)));
    }

    [Fact]
    public async Task ServerStream_ReleasesItsResponseAtTheEnd_NotBefore()
    {
        var call = _client.ServerStream(new EchoRequest { Text = "s", Count = 3 }, new CallOptions(Timeout: Bound));
        Assert.True(await call.ResponseStream.MoveNext());
        var response = Assert.Single(_handler.Responses);
        Assert.False(await IsReleasedAsync(response));
        while (await call.ResponseStream.MoveNext()) { }
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.True(await IsReleasedAsync(response));
        Assert.NotNull(call.GetTrailers()); // still readable after the release
    }

    sealed class RecordingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public ConcurrentQueue<HttpResponseMessage> Responses { get; } = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            Responses.Enqueue(response);
            return response;
        }
    }
}
