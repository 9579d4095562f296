using System.Net;
using Google.Protobuf;
using Grpc.Health.V1;
using Infra.Grpc.Interop.Tests.Support;
using Infra.Grpc.Interop.Tests.V1;

namespace Infra.Grpc.Interop.Tests;

/// <summary>Grpc.Net.Client against the shipped server composition over h2c (prior knowledge) on loopback.</summary>
public sealed class NetClientShippedServerTests : TesterClientTests
{
    ShippedServer? _server;

    protected override async Task StartServerAsync() => _server = await ShippedServer.StartAsync();
    protected override GrpcChannel CreateChannel(GrpcChannelOptions options) => _server!.CreateChannel(options);
    protected override async Task StopServerAsync() { if (_server is not null) await _server.DisposeAsync(); }

    [Fact]
    public async Task Cancel_ByClient_FiresTheServerMethodsCancellationToken()
    {
        using var cts = new CancellationTokenSource();
        var call = Client.WaitAsync(new EchoRequest { Text = "direct" }, new CallOptions(cancellationToken: cts.Token, deadline: DateTime.UtcNow + Bound));
        await _server!.Probe.Started("direct").WaitAsync(Bound);
        cts.Cancel();
        await _server.Probe.Cancelled("direct").WaitAsync(Bound);
        var e = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
        Assert.Equal(StatusCode.Cancelled, e.StatusCode);
    }

    [Fact]
    public async Task ServerStream_ClientNotReading_ServerWritesAreHeldBackByFlowControl()
    {
        using var call = Client.ServerStream(new EchoRequest { Text = "bp-server", Count = 1000, ReplySize = 1024 * 1024 }, new CallOptions(deadline: DateTime.UtcNow + Bound));
        Assert.True(await call.ResponseStream.MoveNext());
        await Task.Delay(1500);
        var written = _server!.Probe.Progress("bp-server");
        // Without backpressure the server would have written all 1000 MB by now.
        Assert.InRange(written, 1, 100);
        var received = 1;
        while (received < 200 && await call.ResponseStream.MoveNext()) received++;
        Assert.Equal(200, received);
    }

    [Fact]
    public async Task ClientStream_ServerNotReading_ClientWritesAreHeldBackByFlowControl()
    {
        using var cts = new CancellationTokenSource();
        using var call = Client.ClientStream(new CallOptions(cancellationToken: cts.Token, deadline: DateTime.UtcNow + Bound));
        await call.RequestStream.WriteAsync(new EchoRequest { Text = "bp-client", DelayMs = 20_000 });
        var payload = ByteString.CopyFrom(new byte[1024 * 1024]);
        var sent = 0;
        var writer = Task.Run(async () =>
        {
            for (; sent < 1000; sent++) await call.RequestStream.WriteAsync(new EchoRequest { Text = "bp-client", Payload = payload });
        });
        await Task.WhenAny(writer, Task.Delay(1500));
        Assert.False(writer.IsCompleted);
        Assert.InRange(sent, 0, 100);
        cts.Cancel();
        await Assert.ThrowsAsync<RpcException>(() => writer.WaitAsync(Bound));
    }

    [Fact]
    public async Task ClientStream_MoreThanKestrelsRequestBodyLimit_IsAccepted()
    {
        using var call = Client.ClientStream(new CallOptions(deadline: DateTime.UtcNow + Bound));
        var payload = ByteString.CopyFrom(new byte[1024 * 1024]);
        for (var i = 0; i < 40; i++) await call.RequestStream.WriteAsync(new EchoRequest { Payload = payload });
        await call.RequestStream.CompleteAsync();
        Assert.Equal(40L * 1024 * 1024, (await call).TotalBytes);
    }

    [Fact]
    public async Task Duplex_IdleLongerThanKestrelsDataRateGracePeriod_StaysOpen()
    {
        using var call = Client.Duplex(new CallOptions(deadline: DateTime.UtcNow + Bound));
        await call.RequestStream.WriteAsync(new EchoRequest { Text = "before" });
        Assert.True(await call.ResponseStream.MoveNext());
        await Task.Delay(TimeSpan.FromSeconds(7)); // Kestrel's minimum request data rate has a 5 s grace period
        await call.RequestStream.WriteAsync(new EchoRequest { Text = "after" });
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal("after", call.ResponseStream.Current.Text);
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext());
    }

    [Fact]
    public async Task Health_CheckAndWatch_FromOurClient()
    {
        using var channel = _server!.CreateChannel();
        var health = new Health.HealthClient(channel);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest(), new CallOptions(deadline: DateTime.UtcNow + Bound))).Status);
        var e = await Assert.ThrowsAsync<RpcException>(async () => await health.CheckAsync(new HealthCheckRequest { Service = "svc" }, new CallOptions(deadline: DateTime.UtcNow + Bound)));
        Assert.Equal(StatusCode.NotFound, e.StatusCode);

        using var watch = health.Watch(new HealthCheckRequest { Service = "svc" }, new CallOptions(deadline: DateTime.UtcNow + Bound));
        Assert.True(await watch.ResponseStream.MoveNext());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.ServiceUnknown, watch.ResponseStream.Current.Status);
        _server.Health.SetStatus("svc", HealthCheckResponse.Types.ServingStatus.NotServing);
        Assert.True(await watch.ResponseStream.MoveNext());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, watch.ResponseStream.Current.Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest { Service = "svc" }, new CallOptions(deadline: DateTime.UtcNow + Bound))).Status);
    }

    [Fact]
    public async Task Duplex_DisposedMidStream_ResetsTheStream_AndServerTokenFires()
    {
        var call = Client.Duplex(new CallOptions(deadline: DateTime.UtcNow + Bound));
        await call.RequestStream.WriteAsync(new EchoRequest { Text = "dispose-mid" });
        Assert.True(await call.ResponseStream.MoveNext());
        call.Dispose();
        await _server!.Probe.Cancelled("dispose-mid").WaitAsync(Bound);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => call.RequestStream.WriteAsync(new EchoRequest()));
    }

    [Fact]
    public async Task Deadline_FiresTheServerMethodsCancellationToken()
    {
        var call = Client.WaitAsync(new EchoRequest { Text = "deadline" }, new CallOptions(deadline: DateTime.UtcNow + TimeSpan.FromMilliseconds(500)));
        await _server!.Probe.Cancelled("deadline").WaitAsync(Bound);
        var e = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
        Assert.Equal(StatusCode.DeadlineExceeded, e.StatusCode);
    }

    [Fact]
    public async Task UnreachableServer_IsUnavailable()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nobody listens there now
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        var client = new Tester.TesterClient(channel);
        var e = await Assert.ThrowsAsync<RpcException>(async () => await client.UnaryAsync(new EchoRequest(), new CallOptions(deadline: DateTime.UtcNow + TimeSpan.FromSeconds(30))));
        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
    }
}

/// <summary>Grpc.Net.Client against the shipped server composition over TLS with ALPN h2.</summary>
public sealed class NetClientShippedServerTlsTests : TesterClientTests
{
    ShippedServer? _server;

    protected override async Task StartServerAsync() => _server = await ShippedServer.StartAsync(tls: true);
    protected override GrpcChannel CreateChannel(GrpcChannelOptions options) => _server!.CreateChannel(options);
    protected override async Task StopServerAsync() { if (_server is not null) await _server.DisposeAsync(); }
}
