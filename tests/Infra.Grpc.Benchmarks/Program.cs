using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Infra.Grpc;
using Infra.Grpc.Benchmarks;
using Infra.Grpc.Tests.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

// Usage: Infra.Grpc.Benchmarks [--seconds N] [--no-python]
// Runs our server on loopback h2c, drives it with our client and with Python grpcio, prints one table.
var seconds = args.Contains("--seconds") ? double.Parse(args[Array.IndexOf(args, "--seconds") + 1]) : 3;
var python = !args.Contains("--no-python") && File.Exists("/usr/bin/python3");
var duration = TimeSpan.FromSeconds(seconds);
var warmup = TimeSpan.FromSeconds(1);

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
builder.Services.AddGrpc();
builder.Services.AddSingleton<BenchService>();
var app = builder.Build();
app.MapGrpcService<BenchService>();
await app.StartAsync();
var address = app.Urls.First();
var rows = new List<Row>();
long perCall = 0;

using (var channel = GrpcChannel.ForAddress(address))
{
    var client = new Tester.TesterClient(channel);
    var request = new EchoRequest { Text = "x" };
    var options = new CallOptions(Timeout: TimeSpan.FromSeconds(30));
    rows.Add(await Measure.UnaryAsync("Infra.Grpc", 1, warmup, duration, () => client.UnaryAsync(request, options).ResponseAsync));
    rows.Add(await Measure.UnaryAsync("Infra.Grpc", 64, warmup, duration, () => client.UnaryAsync(request, options).ResponseAsync));

    // Allocation per unary call, client and server together (same process).
    var before = GC.GetTotalAllocatedBytes(true);
    for (var i = 0; i < 2000; i++) await client.UnaryAsync(request, options);
    perCall = (GC.GetTotalAllocatedBytes(true) - before) / 2000;

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
}

if (python)
{
    var stubs = Path.Combine(Path.GetTempPath(), "infra-grpc-bench-" + Guid.NewGuid().ToString("N"));
    Directory.CreateDirectory(stubs);
    try
    {
        Run("-m", "grpc_tools.protoc", "-I", AppContext.BaseDirectory, "--python_out=" + stubs, "--grpc_python_out=" + stubs, "tester.proto");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "bench_client.py"), Path.Combine(stubs, "bench_client.py"));
        var target = address.Replace("http://", "");
        foreach (var c in new[] { 1, 64 })
        {
            var r = JsonDocument.Parse(Run(Path.Combine(stubs, "bench_client.py"), target, "unary", c.ToString(), seconds.ToString())).RootElement;
            rows.Add(new Row($"unary x{c}", "grpcio (python)", r.GetProperty("rate").GetDouble(), "calls/s", r.GetProperty("p50_us").GetDouble(), r.GetProperty("p99_us").GetDouble()));
        }
        var s = JsonDocument.Parse(Run(Path.Combine(stubs, "bench_client.py"), target, "stream", "100000")).RootElement;
        rows.Add(new Row("server stream", "grpcio (python)", s.GetProperty("rate").GetDouble(), "msgs/s", null, null));
    }
    finally { Directory.Delete(stubs, true); }

    string Run(params string[] a)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = stubs };
        foreach (var x in a) psi.ArgumentList.Add(x);
        psi.Environment["PYTHONPATH"] = stubs;
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var err = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000)) { p.Kill(true); throw new TimeoutException("python benchmark client did not finish in 120 s"); }
        if (p.ExitCode != 0) throw new InvalidOperationException("python failed: " + err.Result);
        return output.Result.Trim();
    }
}

await app.StopAsync();
Console.WriteLine();
Console.WriteLine($"{"scenario",-15} {"client",-16} {"rate",14} {"unit",-8} {"p50 µs",9} {"p99 µs",9}");
Console.WriteLine(new string('-', 76));
foreach (var r in rows)
    Console.WriteLine($"{r.Scenario,-15} {r.Client,-16} {r.Rate,14:N0} {r.Unit,-8} {(r.P50Us is { } p50 ? p50.ToString("N0") : "-"),9} {(r.P99Us is { } p99 ? p99.ToString("N0") : "-"),9}");
Console.WriteLine($"allocated per unary call (our client + our server): {perCall:N0} bytes");
Console.WriteLine($"goal: unary x64 >= 30,000 calls/s with p99 < 5,000 µs; unary x1 p50 < 200 µs ({seconds} s per scenario, loopback h2c)");
