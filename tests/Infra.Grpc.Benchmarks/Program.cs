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

// Usage: Infra.Grpc.Benchmarks [--seconds N] [--rounds N] [--no-python] [--unary-only]
//          | --alloc-profile (which types our client allocates per unary call, sampled)
//          [--baseline OTHER_BUILD/Infra.Grpc.Benchmarks.dll]... [--variant NAME:VAR=VALUE,VAR=VALUE]...
// Runs our server on loopback h2c in this process; drives it from child processes: our client
// (this program with --client ADDRESS), optionally another build of it (--baseline) and our client
// under other runtime settings (--variant, environment variables of the client process only), and
// Python grpcio as the reference. With --rounds N the clients take turns N times (A B C A B C ...) so
// changing machine load hits all of them alike, and the table shows the median of each figure.
var seconds = Arg("--seconds") is { } s0 ? double.Parse(s0) : 3;
var rounds = Arg("--rounds") is { } r0 ? int.Parse(r0) : 1;
var duration = TimeSpan.FromSeconds(seconds);
var warmup = TimeSpan.FromSeconds(1);
var unaryOnly = args.Contains("--unary-only");

if (Arg("--profile-client") is { } target1)
{
    // Diagnostic: which types our client allocates per unary call (sampled).
    using var channel = GrpcChannel.ForAddress(target1);
    var client = new Infra.Grpc.Tests.V1.Tester.TesterClient(channel);
    var request = new Infra.Grpc.Tests.V1.EchoRequest { Text = "x" };
    var options = new CallOptions(Timeout: TimeSpan.FromSeconds(30));
    for (var i = 0; i < 2000; i++) await client.UnaryAsync(request, options);
    using var profile = new AllocationProfile();
    Console.WriteLine(await profile.RunAsync(50_000, () => client.UnaryAsync(request, options).ResponseAsync));
    return;
}
if (Arg("--client") is { } target0)
{
    var rows0 = await OurClient.RunAsync(target0, warmup, duration, unaryOnly);
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

var self = Environment.ProcessPath!;
var selfDll = typeof(OurClient).Assembly.Location;
var clients = new List<(string Label, string File, List<string> Args, Dictionary<string, string> Env)>();
List<string> ClientArgs(string dll) => new[] { dll, "--client", address, "--seconds", seconds.ToString() }.Concat(unaryOnly ? new[] { "--unary-only" } : []).ToList();
clients.Add(("Infra.Grpc", "dotnet", ClientArgs(selfDll), new()));
for (var i = 0; i < args.Length - 1; i++)
{
    // Another build of this benchmark (e.g. main's), labelled by its folder: "base" for /tmp/base/X.dll.
    if (args[i] == "--baseline")
        clients.Add(($"Infra.Grpc @{Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(args[i + 1])))}", "dotnet", ClientArgs(Path.GetFullPath(args[i + 1])), new()));
    if (args[i] != "--variant") continue;
    var (name, vars) = (args[i + 1].Split(':', 2)[0], args[i + 1].Split(':', 2)[1]);
    clients.Add(($"Infra.Grpc {name}", "dotnet", ClientArgs(selfDll), vars.Split(',').Select(v => v.Split('=', 2)).ToDictionary(v => v[0], v => v[1])));
}

if (args.Contains("--alloc-profile"))
{
    Console.WriteLine(Run("dotnet", new[] { selfDll, "--profile-client", address }, null, new()));
    await app.StopAsync();
    return;
}

var runs = new List<Row>();
var loads = new List<string>();
string? stubs = null;
try
{
    if (python)
    {
        stubs = Path.Combine(Path.GetTempPath(), "infra-grpc-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(stubs);
        Run("/usr/bin/python3", new[] { "-m", "grpc_tools.protoc", "-I", AppContext.BaseDirectory, "--python_out=" + stubs, "--grpc_python_out=" + stubs, "tester.proto" }, stubs, new());
        File.Copy(Path.Combine(AppContext.BaseDirectory, "bench_client.py"), Path.Combine(stubs, "bench_client.py"));
    }
    for (var round = 0; round < rounds; round++)
    {
        loads.Add(File.ReadAllText("/proc/loadavg").Split(' ')[0]);
        foreach (var c in clients)
            runs.AddRange(JsonSerializer.Deserialize<List<Row>>(Run(c.File, c.Args, null, c.Env))!.Select(r => r with { Client = c.Label }));
        if (stubs is not null) runs.AddRange(Python.Run(address, seconds, stubs, unaryOnly, Run));
    }
}
finally { if (stubs is not null) Directory.Delete(stubs, true); }

await app.StopAsync();
Table.Print(Table.Medians(runs));
Console.WriteLine($"server: Infra.Grpc on Kestrel, loopback h2c; {seconds} s per unary scenario after 1 s warm-up; {rounds} round(s), medians; load average at each round {string.Join(" ", loads)}, now {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
foreach (var c in clients.Where(c => c.Env.Count > 0)) Console.WriteLine($"{c.Label}: {string.Join(" ", c.Env.Select(e => $"{e.Key}={e.Value}"))}");
Console.WriteLine("goal: unary x64 >= 30,000 calls/s with p99 < 5,000 µs; unary x1 p50 < 200 µs");

string? Arg(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

static string Run(string file, IEnumerable<string> arguments, string? pythonPath, Dictionary<string, string> env)
{
    var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in arguments) psi.ArgumentList.Add(a);
    foreach (var (k, v) in env) psi.Environment[k] = v;
    if (pythonPath is not null) { psi.Environment["PYTHONPATH"] = pythonPath; psi.WorkingDirectory = pythonPath; }
    using var p = Process.Start(psi)!;
    var output = p.StandardOutput.ReadToEndAsync();
    var err = p.StandardError.ReadToEndAsync();
    if (!p.WaitForExit(180_000)) { p.Kill(true); throw new TimeoutException($"{file} did not finish in 180 s"); }
    if (p.ExitCode != 0) throw new InvalidOperationException($"{file} failed: {err.Result}");
    if (err.Result.Length > 0) Console.Error.Write(err.Result);
    return output.Result.Trim();
}
