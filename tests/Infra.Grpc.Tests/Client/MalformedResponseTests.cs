using System.Net;
using Infra.Grpc.Tests.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Infra.Grpc.Tests.Client;

/// <summary>A misbehaving HTTP/2 server (plain Kestrel endpoints): our client turns each kind of bad
/// response into the gRPC status the spec asks for, instead of crashing or hanging.</summary>
public sealed class MalformedResponseTests : IAsyncLifetime
{
    WebApplication _app = null!;
    GrpcChannel _channel = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        _app = builder.Build();
        _app.MapPost("/t.S/WrongContentType", async http => { http.Response.ContentType = "text/html"; await http.Response.WriteAsync("<html>"); });
        _app.MapPost("/t.S/NoStatus", async http =>
        {
            http.Response.ContentType = "application/grpc";
            await http.Response.Body.WriteAsync(new byte[] { 0, 0, 0, 0, 0 });
        });
        _app.MapPost("/t.S/Truncated", async http =>
        {
            http.Response.ContentType = "application/grpc";
            await http.Response.Body.WriteAsync(new byte[] { 0, 0, 0, 0, 9, 1, 2 });
            http.Response.AppendTrailer("grpc-status", "0");
        });
        _app.MapPost("/t.S/Compressed", async http =>
        {
            http.Response.ContentType = "application/grpc";
            await http.Response.Body.WriteAsync(new byte[] { 1, 0, 0, 0, 0 });
            http.Response.AppendTrailer("grpc-status", "0");
        });
        _app.MapPost("/t.S/Http503", http => { http.Response.StatusCode = 503; return Task.CompletedTask; });
        _app.MapPost("/t.S/BadStatus", http =>
        {
            http.Response.ContentType = "application/grpc";
            http.Response.Headers["grpc-status"] = "banana";
            return Task.CompletedTask;
        });
        await _app.StartAsync();
        _channel = GrpcChannel.ForAddress(_app.Urls.First());
    }

    async Task<RpcException> Call(string method)
    {
        var m = new Method<EchoRequest, EchoReply>(MethodType.Unary, "t.S", method, EchoRequest.Parser, EchoReply.Parser);
        return await Assert.ThrowsAsync<RpcException>(async () =>
            await _channel.UnaryCall(m, new EchoRequest(), new CallOptions(Timeout: TimeSpan.FromSeconds(30))).ResponseAsync.WaitAsync(TimeSpan.FromSeconds(60)));
    }

    [Theory]
    [InlineData("WrongContentType", StatusCode.Internal)]
    [InlineData("NoStatus", StatusCode.Internal)]
    [InlineData("Truncated", StatusCode.Internal)]
    [InlineData("Compressed", StatusCode.Internal)]
    [InlineData("Http503", StatusCode.Unavailable)]
    [InlineData("BadStatus", StatusCode.Unknown)]
    [InlineData("Missing", StatusCode.Unimplemented)] // HTTP 404
    public async Task BadResponse_BecomesStatus(string method, StatusCode expected) => Assert.Equal(expected, (await Call(method)).StatusCode);

    [Fact]
    public async Task UnreachableServer_IsUnavailable()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nobody listens there now
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        var client = new Tester.TesterClient(channel);
        var e = await Assert.ThrowsAsync<RpcException>(async () => await client.UnaryAsync(new EchoRequest(), new CallOptions(Timeout: TimeSpan.FromSeconds(30))));
        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
