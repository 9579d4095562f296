using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Infra.Grpc.Interop.Tests.Support;
using Infra.Grpc.Interop.Tests.V1;

namespace Infra.Grpc.Interop.Tests;

/// <summary>Hand-made HTTP/2 requests: a broken peer gets a gRPC status, never a crash or a hang,
/// and the server keeps serving afterwards.</summary>
public sealed class MalformedRequestTests(ShippedServerFixture fixture) : IClassFixture<ShippedServerFixture>, IDisposable
{
    readonly HttpMessageInvoker _http = new(new SocketsHttpHandler());

    const string UnaryPath = "/infra.grpctest.v1.Tester/Unary";

    async Task<(int Http, string? Status, string? Message)> Send(string path, byte[] body, string contentType = "application/grpc", params (string, string)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{fixture.Server.Port}{path}")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.TE.ParseAdd("trailers");
        foreach (var (k, v) in headers) request.Headers.TryAddWithoutValidation(k, v);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await _http.SendAsync(request, cts.Token);
        await response.Content.ReadAsByteArrayAsync(cts.Token);
        string? Get(string name) =>
            response.Headers.TryGetValues(name, out var v) ? v.First() : response.TrailingHeaders.TryGetValues(name, out var t) ? t.First() : null;
        return ((int)response.StatusCode, Get("grpc-status"), Get("grpc-message"));
    }

    static byte[] Frame(byte flag, uint length, byte[] payload)
    {
        var b = new byte[5 + payload.Length];
        b[0] = flag;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(1), length);
        payload.CopyTo(b, 5);
        return b;
    }

    static readonly byte[] Hello = new EchoRequest { Text = "hello" }.ToByteArray();

    [Fact]
    public async Task WellFormedRawRequest_IsOk() =>
        Assert.Equal("0", (await Send(UnaryPath, Frame(0, (uint)Hello.Length, Hello))).Status);

    [Fact]
    public async Task LengthPrefixLongerThanBody_IsInternal_TruncatedMessage()
    {
        var r = await Send(UnaryPath, Frame(0, (uint)Hello.Length + 10, Hello));
        Assert.Equal(((int)StatusCode.Internal).ToString(), r.Status);
        Assert.Contains("Incomplete message", r.Message);
    }

    [Fact]
    public async Task BodyShorterThanPrefix_IsInternal() =>
        Assert.Equal(((int)StatusCode.Internal).ToString(), (await Send(UnaryPath, new byte[] { 0, 0, 0 })).Status);

    [Fact]
    public async Task HugeLengthPrefix_IsResourceExhausted_WithoutWaitingForTheBytes()
    {
        var r = await Send(UnaryPath, Frame(0, 0x7FFFFFFF, Hello));
        Assert.Equal(((int)StatusCode.ResourceExhausted).ToString(), r.Status);
        Assert.Contains("maximum configured message size", Uri.UnescapeDataString(r.Message!));
    }

    [Fact]
    public async Task CompressedFlagWithoutEncoding_IsInternal()
    {
        var r = await Send(UnaryPath, Frame(1, (uint)Hello.Length, Hello));
        Assert.Equal(((int)StatusCode.Internal).ToString(), r.Status);
        Assert.True(r.Message?.Contains("grpc-encoding") == true, r.Message);
    }

    // Grpc.AspNetCore answers a flag byte it does not know, and a message its parser rejects, as an
    // exception in the call: UNKNOWN (grpc-go and C++ say INTERNAL). Either way the peer gets a gRPC
    // status, the service code never runs, and the server keeps serving (AfterMalformedRequests...).
    [Fact]
    public async Task InvalidFlagByte_IsUnknown() =>
        Assert.Equal(((int)StatusCode.Unknown).ToString(), (await Send(UnaryPath, Frame(7, (uint)Hello.Length, Hello))).Status);

    [Fact]
    public async Task GarbageProtobuf_IsUnknown()
    {
        var garbage = new byte[] { 0xFF, 0xFF, 0xFF, 0xFF };
        Assert.Equal(((int)StatusCode.Unknown).ToString(), (await Send(UnaryPath, Frame(0, 4, garbage))).Status);
    }

    [Fact]
    public async Task EmptyBodyForUnary_IsInternal() =>
        Assert.Equal(((int)StatusCode.Internal).ToString(), (await Send(UnaryPath, Array.Empty<byte>())).Status);

    [Fact]
    public async Task TwoMessagesForUnary_IsInternal()
    {
        var one = Frame(0, (uint)Hello.Length, Hello);
        Assert.Equal(((int)StatusCode.Internal).ToString(), (await Send(UnaryPath, one.Concat(one).ToArray())).Status);
    }

    [Fact]
    public async Task WrongContentType_Is415WithInternalStatus()
    {
        var r = await Send(UnaryPath, Frame(0, (uint)Hello.Length, Hello), "application/json");
        Assert.Equal(415, r.Http);
        Assert.Equal(((int)StatusCode.Internal).ToString(), r.Status);
    }

    [Fact]
    public async Task UnsupportedGrpcEncoding_IsUnimplemented() // gzip is supported; snappy is not
    {
        var r = await Send(UnaryPath, Frame(1, (uint)Hello.Length, Hello), "application/grpc", ("grpc-encoding", "snappy"));
        Assert.Equal(((int)StatusCode.Unimplemented).ToString(), r.Status);
    }

    [Fact]
    public async Task MalformedTimeout_IsIgnored_CallSucceeds() =>
        Assert.Equal("0", (await Send(UnaryPath, Frame(0, (uint)Hello.Length, Hello), "application/grpc", ("grpc-timeout", "soon"))).Status);

    [Fact]
    public async Task AfterMalformedRequests_ServerStillServes()
    {
        for (var i = 0; i < 5; i++) await Send(UnaryPath, Frame(9, 1, Hello));
        using var channel = fixture.Server.CreateChannel();
        var reply = await new Tester.TesterClient(channel).UnaryAsync(new EchoRequest { Text = "still" }, new CallOptions(deadline: DateTime.UtcNow + TimeSpan.FromSeconds(30)));
        Assert.Equal("still", reply.Text);
    }

    public void Dispose() => _http.Dispose();
}
