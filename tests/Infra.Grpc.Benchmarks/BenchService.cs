using Google.Protobuf.WellKnownTypes;
using Infra.Grpc.Interop.Tests.V1;

namespace Infra.Grpc.Benchmarks;

/// <summary>Minimal work per call so the numbers measure the transport, not the service (the same
/// work as the baseline's BenchService at 0a645b6, which the baseline server runs).</summary>
public sealed class BenchService : Tester.TesterBase
{
    static readonly EchoReply Small = new() { Text = "ok" };

    public override Task<EchoReply> Unary(EchoRequest request, ServerCallContext context) => Task.FromResult(Small);

    public override async Task ServerStream(EchoRequest request, IServerStreamWriter<EchoReply> responseStream, ServerCallContext context)
    {
        var reply = new EchoReply { Text = "m" };
        for (var i = 0; i < request.Count; i++) await responseStream.WriteAsync(reply);
    }

    public override async Task<EchoReply> ClientStream(IAsyncStreamReader<EchoRequest> requestStream, ServerCallContext context)
    {
        var n = 0;
        while (await requestStream.MoveNext()) n++;
        return new EchoReply { Index = n };
    }

    public override Task<Empty> Ping(Empty request, ServerCallContext context) => Task.FromResult(request);
}
