using Infra.Grpc.Tests.Support;
using Infra.Grpc.Tests.V1;

namespace Infra.Grpc.Tests.Interop;

/// <summary>Our client against our server over h2c (prior knowledge) on loopback.</summary>
public sealed class OurClientOurServerTests : TesterClientTests
{
    GrpcTestServer? _server;

    protected override async Task StartServerAsync() => _server = await GrpcTestServer.StartAsync();
    protected override GrpcChannel CreateChannel(GrpcChannelOptions options) => _server!.CreateChannel(options);
    protected override async Task StopServerAsync() { if (_server is not null) await _server.DisposeAsync(); }

    [Fact]
    public async Task Cancel_ByClient_FiresTheServerMethodsCancellationToken()
    {
        using var cts = new CancellationTokenSource();
        var call = Client.WaitAsync(new EchoRequest { Text = "direct" }, new CallOptions(CancellationToken: cts.Token, Timeout: Bound));
        await _server!.Probe.Started("direct").WaitAsync(Bound);
        cts.Cancel();
        await _server.Probe.Cancelled("direct").WaitAsync(Bound);
        var e = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
        Assert.Equal(StatusCode.Cancelled, e.StatusCode);
    }

    [Fact]
    public async Task Deadline_FiresTheServerMethodsCancellationToken()
    {
        var call = Client.WaitAsync(new EchoRequest { Text = "deadline" }, new CallOptions(Timeout: TimeSpan.FromMilliseconds(500)));
        await _server!.Probe.Cancelled("deadline").WaitAsync(Bound);
        var e = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
        Assert.Equal(StatusCode.DeadlineExceeded, e.StatusCode);
    }
}

/// <summary>Our client against our server over TLS with ALPN h2.</summary>
public sealed class OurClientOurServerTlsTests : TesterClientTests
{
    GrpcTestServer? _server;

    protected override async Task StartServerAsync() => _server = await GrpcTestServer.StartAsync(tls: true);
    protected override GrpcChannel CreateChannel(GrpcChannelOptions options) => _server!.CreateChannel(options);
    protected override async Task StopServerAsync() { if (_server is not null) await _server.DisposeAsync(); }
}
