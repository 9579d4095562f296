using Infra.Grpc.Interop.Tests.Support;

namespace Infra.Grpc.Interop.Tests;

/// <summary>Grpc.Net.Client against a Python grpcio server (tester_server.py) on a free loopback port.</summary>
public sealed class NetClientGrpcioServerTests : TesterClientTests
{
    PythonProcess? _server;
    string _address = "";

    protected override async Task StartServerAsync()
    {
        _server = PythonGrpc.Start("tester_server.py");
        var line = await _server.ReadLineAsync(TimeSpan.FromSeconds(30));
        Assert.StartsWith("PORT ", line);
        _address = "http://127.0.0.1:" + line[5..];
    }

    protected override GrpcChannel CreateChannel(GrpcChannelOptions options) => GrpcChannel.ForAddress(_address, options);

    protected override Task StopServerAsync()
    {
        _server?.Dispose();
        return Task.CompletedTask;
    }
}
