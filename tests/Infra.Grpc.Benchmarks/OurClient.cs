using System.Diagnostics;
using Infra.Grpc.Tests.V1;

namespace Infra.Grpc.Benchmarks;

/// <summary>Our client's scenarios. Run in a child process (like the Python client) so client and
/// server compete for CPU the same way in both rows.</summary>
public static class OurClient
{
    public static async Task<List<Row>> RunAsync(string address, TimeSpan warmup, TimeSpan duration, bool unaryOnly)
    {
        var rows = new List<Row>();
        using var channel = GrpcChannel.ForAddress(address);
        var client = new Tester.TesterClient(channel);
        var request = new EchoRequest { Text = "x" };
        var options = new CallOptions(Timeout: TimeSpan.FromSeconds(30));
        rows.Add(await Measure.UnaryAsync("Infra.Grpc", 1, warmup, duration, () => client.UnaryAsync(request, options).ResponseAsync));
        rows.Add(await Measure.UnaryAsync("Infra.Grpc", 64, warmup, duration, () => client.UnaryAsync(request, options).ResponseAsync));

        var before = GC.GetTotalAllocatedBytes(true);
        for (var i = 0; i < 2000; i++) await client.UnaryAsync(request, options);
        var perCall = (GC.GetTotalAllocatedBytes(true) - before) / 2000;
        rows.Add(new Row("client alloc", "Infra.Grpc", perCall, "B/call", null, null));
        if (unaryOnly) return rows;

        const int count = 200_000;
        var sw = Stopwatch.StartNew();
        using (var call = client.ServerStream(new EchoRequest { Count = count }, options))
        {
            var n = 0;
            while (await call.ResponseStream.MoveNext()) n++;
            rows.Add(new Row("server stream", "Infra.Grpc", n / sw.Elapsed.TotalSeconds, "msgs/s", null, null));
        }
        sw.Restart();
        using (var call = client.ClientStream(options))
        {
            for (var i = 0; i < count; i++) await call.RequestStream.WriteAsync(request);
            await call.RequestStream.CompleteAsync();
            var reply = await call;
            rows.Add(new Row("client stream", "Infra.Grpc", reply.Index / sw.Elapsed.TotalSeconds, "msgs/s", null, null));
        }
        return rows;
    }
}
