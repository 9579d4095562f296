using System.Text.Json;
using Infra.Grpc.Interop.Tests.Support;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Infra.Grpc.Interop.Tests;

/// <summary>Python grpcio (tester_client.py) as the client of the shipped server composition: each scenario prints what
/// grpcio observed as JSON and the test asserts on it.</summary>
public sealed class GrpcioClientShippedServerTests(ShippedServerFixture fixture) : IClassFixture<ShippedServerFixture>
{
    static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    async Task<JsonElement> Run(string scenario)
    {
        using var p = PythonGrpc.Start("tester_client.py", $"127.0.0.1:{fixture.Server.Port}", scenario);
        var output = await p.ReadToEndAsync(Bound);
        var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()
            ?? throw new InvalidOperationException($"Scenario {scenario} printed nothing. stderr:\n{p.StandardError}");
        return JsonDocument.Parse(last).RootElement;
    }

    static string S(JsonElement e, string name) => e.GetProperty(name).ToString();

    [Fact]
    public async Task Unary_RoundTrips()
    {
        var r = await Run("unary");
        Assert.Equal("hello", S(r, "text"));
        Assert.Equal("abc", S(r, "payload"));
    }

    [Fact]
    public async Task Unary_WithEmpty_Works() => Assert.True((await Run("ping")).GetProperty("ok").GetBoolean());

    [Fact]
    public async Task Metadata_HeadersAndTrailersReachGrpcio()
    {
        var r = await Run("metadata");
        Assert.Equal("value-1", S(r, "header"));
        Assert.Equal("value-1", S(r, "trailer"));
        Assert.Equal("00c807", S(r, "bin"));
    }

    [Fact]
    public async Task Error_StatusPercentEncodedMessageAndBinaryTrailersReachGrpcio()
    {
        var r = await Run("error");
        Assert.Equal("FAILED_PRECONDITION", S(r, "code"));
        Assert.Equal("bad precondition: 100% ü\nsecond line", S(r, "details"));
        Assert.Equal("yes", S(r, "x_fail"));
        Assert.Equal("000102ff", S(r, "x_fail_bin"));
        Assert.Equal(Convert.ToHexString(TesterService.Encoding("bad precondition: 100% ü\nsecond line")).ToLowerInvariant(), S(r, "status_details"));
    }

    [Fact]
    public async Task ServerStream_10000Messages()
    {
        var r = await Run("server_stream");
        Assert.Equal(10000, r.GetProperty("count").GetInt32());
        Assert.True(r.GetProperty("ordered").GetBoolean());
    }

    [Fact]
    public async Task ServerStream_FailureAfterMessages()
    {
        var r = await Run("server_stream_fail");
        Assert.Equal(3, r.GetProperty("count").GetInt32());
        Assert.Equal("ABORTED", S(r, "code"));
        Assert.Equal("stop", S(r, "details"));
    }

    [Fact]
    public async Task ClientStream_10000Messages()
    {
        var r = await Run("client_stream");
        Assert.Equal(10000, r.GetProperty("count").GetInt32());
        Assert.Equal(100000, r.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Duplex_10000Messages()
    {
        var r = await Run("duplex");
        Assert.Equal(10000, r.GetProperty("count").GetInt32());
        Assert.True(r.GetProperty("ordered").GetBoolean());
    }

    [Fact]
    public async Task Large_3MBMessage_RoundTrips()
    {
        var r = await Run("large");
        Assert.Equal(3 * 1024 * 1024, r.GetProperty("size").GetInt32());
        Assert.True(r.GetProperty("equal").GetBoolean());
    }

    [Fact]
    public async Task TooLarge_IsResourceExhausted()
    {
        var r = await Run("too_large");
        Assert.Equal("RESOURCE_EXHAUSTED", S(r, "code"));
    }

    [Fact]
    public async Task Deadline_IsDeadlineExceeded()
    {
        var r = await Run("deadline");
        Assert.Equal("DEADLINE_EXCEEDED", S(r, "code"));
    }

    [Fact]
    public async Task Cancel_FromGrpcio_FiresOurServerToken()
    {
        var r = await Run("cancel");
        Assert.Equal("cancelled", S(r, "state"));
        Assert.True(fixture.Server.Probe.Cancelled("pycancel").IsCompleted);
    }

    [Fact]
    public async Task UnknownMethodAndService_AreUnimplemented()
    {
        var r = await Run("unimplemented");
        Assert.Equal("UNIMPLEMENTED", S(r, "method"));
        Assert.Equal("UNIMPLEMENTED", S(r, "service"));
    }

    [Fact]
    public async Task HealthCheck_ServerServing_UnknownServiceNotFound()
    {
        var r = await Run("health_check");
        Assert.Equal("SERVING", S(r, "server"));
        Assert.Equal("NOT_FOUND", S(r, "unknown"));
    }

    [Fact]
    public async Task HealthWatch_StreamsStatusChanges()
    {
        using var p = PythonGrpc.Start("tester_client.py", $"127.0.0.1:{fixture.Server.Port}", "health_watch");
        Assert.Equal("FIRST SERVICE_UNKNOWN", await p.ReadLineAsync(Bound));
        fixture.Server.Health.SetStatus("watched", ServingStatus.Serving);
        await Task.Delay(200); // a Watch may coalesce quick successive changes; keep them apart
        fixture.Server.Health.SetStatus("watched", ServingStatus.NotServing);
        var r = JsonDocument.Parse((await p.ReadToEndAsync(Bound)).Trim()).RootElement;
        Assert.Equal(new[] { "SERVICE_UNKNOWN", "SERVING", "NOT_SERVING" }, r.GetProperty("seen").EnumerateArray().Select(e => e.GetString()).ToArray());
    }

    [Theory]
    [InlineData("reflection_v1")]
    [InlineData("reflection_v1alpha")]
    public async Task Reflection_ListsServices_AndServesFilesWithDependencies(string scenario)
    {
        var r = await Run(scenario);
        var services = r.GetProperty("services").EnumerateArray().Select(e => e.GetString()).ToArray();
        Assert.Contains("infra.grpctest.v1.Tester", services);
        Assert.Contains("grpc.health.v1.Health", services);
        Assert.Contains("grpc.reflection.v1.ServerReflection", services);
        Assert.Contains("grpc.reflection.v1alpha.ServerReflection", services);
        var files = r.GetProperty("files").EnumerateArray().Select(e => e.GetString()).ToArray();
        Assert.Equal(new[] { "tester.proto", "google/protobuf/empty.proto" }, files);
        Assert.Contains("Duplex", r.GetProperty("methods").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("tester.proto", r.GetProperty("by_filename")[0].GetString());
        Assert.Equal("tester.proto", r.GetProperty("nested")[0].GetString());
        Assert.Equal((int)StatusCode.NotFound, r.GetProperty("missing_error").GetInt32());
    }
}
