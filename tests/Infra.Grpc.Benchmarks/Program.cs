using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Infra.Grpc;
using Infra.Grpc.Benchmarks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

// Usage: Infra.Grpc.Benchmarks [--seconds N] [--no-python]
// Runs our server on loopback h2c in this process; drives it from child processes: our client
// (this program with --client ADDRESS) and Python grpcio as the reference; prints one table.
var seconds = args.Contains("--seconds") ? double.Parse(args[Array.IndexOf(args, "--seconds") + 1]) : 3;
var duration = TimeSpan.FromSeconds(seconds);
var warmup = TimeSpan.FromSeconds(1);

if (args.Contains("--client"))
{
    var rows0 = await OurClient.RunAsync(args[Array.IndexOf(args, "--client") + 1], warmup, duration);
    Console.WriteLine(JsonSerializer.Serialize(rows0));
    return;
}

var python = !args.Contains("--no-python") && File.Exists("/usr/bin/python3");
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

var self = Environment.ProcessPath!;
var selfArgs = new List<string>();
if (Path.GetFileNameWithoutExtension(self) == "dotnet") selfArgs.Add(typeof(OurClient).Assembly.Location);
selfArgs.AddRange(new[] { "--client", address, "--seconds", seconds.ToString() });
rows.AddRange(JsonSerializer.Deserialize<List<Row>>(Run(self, selfArgs, null))!);

if (python)
{
    var stubs = Path.Combine(Path.GetTempPath(), "infra-grpc-bench-" + Guid.NewGuid().ToString("N"));
    Directory.CreateDirectory(stubs);
    try
    {
        Run("/usr/bin/python3", new[] { "-m", "grpc_tools.protoc", "-I", AppContext.BaseDirectory, "--python_out=" + stubs, "--grpc_python_out=" + stubs, "tester.proto" }, stubs);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "bench_client.py"), Path.Combine(stubs, "bench_client.py"));
        var target = address.Replace("http://", "");
        var script = Path.Combine(stubs, "bench_client.py");
        foreach (var c in new[] { 1, 64 })
        {
            var r = JsonDocument.Parse(Run("/usr/bin/python3", new[] { script, target, "unary", c.ToString(), seconds.ToString() }, stubs)).RootElement;
            rows.Add(new Row($"unary x{c}", "grpcio (python)", r.GetProperty("rate").GetDouble(), "calls/s", r.GetProperty("p50_us").GetDouble(), r.GetProperty("p99_us").GetDouble()));
        }
        var s = JsonDocument.Parse(Run("/usr/bin/python3", new[] { script, target, "stream", "100000" }, stubs)).RootElement;
        rows.Add(new Row("server stream", "grpcio (python)", s.GetProperty("rate").GetDouble(), "msgs/s", null, null));
    }
    finally { Directory.Delete(stubs, true); }
}

await app.StopAsync();
Console.WriteLine();
Console.WriteLine($"{"scenario",-15} {"client",-16} {"rate",14} {"unit",-8} {"p50 µs",9} {"p99 µs",9}");
Console.WriteLine(new string('-', 76));
foreach (var r in rows)
    Console.WriteLine($"{r.Scenario,-15} {r.Client,-16} {r.Rate,14:N0} {r.Unit,-8} {(r.P50Us is { } p50 ? p50.ToString("N0") : "-"),9} {(r.P99Us is { } p99 ? p99.ToString("N0") : "-"),9}");
Console.WriteLine($"server: Infra.Grpc on Kestrel, loopback h2c; {seconds} s per unary scenario after 1 s warm-up; load average now {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
Console.WriteLine("goal: unary x64 >= 30,000 calls/s with p99 < 5,000 µs; unary x1 p50 < 200 µs");

static string Run(string file, IEnumerable<string> arguments, string? pythonPath)
{
    var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in arguments) psi.ArgumentList.Add(a);
    if (pythonPath is not null) { psi.Environment["PYTHONPATH"] = pythonPath; psi.WorkingDirectory = pythonPath; }
    using var p = Process.Start(psi)!;
    var output = p.StandardOutput.ReadToEndAsync();
    var err = p.StandardError.ReadToEndAsync();
    if (!p.WaitForExit(120_000)) { p.Kill(true); throw new TimeoutException($"{file} did not finish in 120 s"); }
    if (p.ExitCode != 0) throw new InvalidOperationException($"{file} failed: {err.Result}");
    return output.Result.Trim();
}
