using System.Diagnostics;
using Infra.Grpc.Interop.Tests.V1;

namespace Infra.Grpc.Benchmarks;

/// <summary>The new client's scenarios (Grpc.Net.Client, a GrpcChannel shared by all calls, as the
/// agent, infractl and the relay use it). Run in a child process, like the baseline's and grpcio's
/// clients, so client and server compete for CPU the same way in every row.</summary>
public static class NetClient
{
    public static async Task<List<Row>> RunAsync(string label, string address, TimeSpan warmup, TimeSpan duration, bool unaryOnly)
    {
        var rows = new List<Row>();
        // --variant (INFRA_BENCH_VARIANT): no-deadline (calls without one), no-balancer (an HttpClientHandler,
        // which Grpc.Net.Client uses as is, without its subchannel/picker layer).
        var variant = Environment.GetEnvironmentVariable("INFRA_BENCH_VARIANT") ?? "";
        var options = new GrpcChannelOptions { MaxReceiveMessageSize = 16 << 20 };
        if (variant.Contains("no-balancer")) options.HttpHandler = new HttpClientHandler();
        using var channel = GrpcChannel.ForAddress(address, options);
        var client = new Tester.TesterClient(channel);
        var request = new EchoRequest { Text = "x" };
        CallOptions Options() => variant.Contains("no-deadline") ? default : new(deadline: DateTime.UtcNow.AddSeconds(30));
        rows.Add(await Measure.UnaryAsync(label, 1, warmup, duration, () => client.UnaryAsync(request, Options()).ResponseAsync));
        rows.Add(await Measure.UnaryAsync(label, 64, warmup, duration, () => client.UnaryAsync(request, Options()).ResponseAsync));

        var before = GC.GetTotalAllocatedBytes(true);
        for (var i = 0; i < 2000; i++) await client.UnaryAsync(request, Options());
        rows.Add(new Row("client alloc", label, (GC.GetTotalAllocatedBytes(true) - before) / 2000, "B/call", null, null));
        if (unaryOnly) return rows;

        const int count = 200_000;
        var sw = Stopwatch.StartNew();
        using (var call = client.ServerStream(new EchoRequest { Count = count }, Options()))
        {
            var n = 0;
            while (await call.ResponseStream.MoveNext()) n++;
            rows.Add(new Row("server stream", label, n / sw.Elapsed.TotalSeconds, "msgs/s", null, null));
        }
        sw.Restart();
        using (var call = client.ClientStream(Options()))
        {
            for (var i = 0; i < count; i++) await call.RequestStream.WriteAsync(request);
            await call.RequestStream.CompleteAsync();
            var reply = await call;
            rows.Add(new Row("client stream", label, reply.Index / sw.Elapsed.TotalSeconds, "msgs/s", null, null));
        }
        return rows;
    }
}
