using System.Text.Json;
using Infra.Grpc.Interop.Tests.Support;

namespace Infra.Grpc.Interop.Tests;

/// <summary>grpcio over TLS (ALPN h2) against the shipped server composition with a self-signed certificate.</summary>
public sealed class GrpcioClientShippedServerTlsTests(ShippedTlsServerFixture fixture) : IClassFixture<ShippedTlsServerFixture>, IDisposable
{
    readonly string _pem = Path.Combine(Path.GetTempPath(), $"infra-grpc-cert-{Guid.NewGuid():N}.pem");

    async Task<JsonElement> Run(string scenario)
    {
        File.WriteAllText(_pem, fixture.Server.Certificate!.ExportCertificatePem());
        using var p = PythonGrpc.Start("tester_client.py", new Dictionary<string, string> { ["TESTER_TLS_ROOT"] = _pem },
            $"localhost:{fixture.Server.Port}", scenario);
        var output = await p.ReadToEndAsync(TimeSpan.FromSeconds(60));
        var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()
            ?? throw new InvalidOperationException($"Scenario {scenario} printed nothing. stderr:\n{p.StandardError}");
        return JsonDocument.Parse(last).RootElement;
    }

    [Fact]
    public async Task Unary_OverTls() => Assert.Equal("hello", (await Run("unary")).GetProperty("text").GetString());

    [Fact]
    public async Task Duplex_OverTls() => Assert.Equal(10000, (await Run("duplex")).GetProperty("count").GetInt32());

    [Fact]
    public async Task Error_OverTls() => Assert.Equal("FAILED_PRECONDITION", (await Run("error")).GetProperty("code").GetString());

    public void Dispose() => File.Delete(_pem);
}
