using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Infra.Controller.Auth;
using Infra.Controller.Hosting;
using Infra.Grpc.Benchmarks;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

// Usage: Infra.Grpc.Benchmarks [--seconds N] [--rounds N] [--no-python] [--unary-only]
//          [--no-baseline] [--baseline-commit SHA] [--baseline-dir DIR] [--variant no-deadline|no-balancer]...
//          | --alloc-profile
// Old vs new transport in one run. NEW: the controller's shipped server composition (GrpcServer:
// Kestrel, Grpc.AspNetCore, the auth interceptor, the 16 MB limit) in this process, driven by
// Grpc.Net.Client from a child process. OLD: the own runtime of the commit before the switch
// (Baseline.cs builds it in a git worktree): its server and its client, each a process of its own.
// grpcio (asyncio) drives both servers as the reference. With --rounds N the runs take turns N times
// (old, new, the two cross pairs, grpcio old, grpcio new, ...) so changing machine load hits all
// alike; medians printed.
var seconds = Arg("--seconds") is { } s0 ? double.Parse(s0) : 3;
var rounds = Arg("--rounds") is { } r0 ? int.Parse(r0) : 1;
var duration = TimeSpan.FromSeconds(seconds);
var warmup = TimeSpan.FromSeconds(1);
var unaryOnly = args.Contains("--unary-only");
const string NewLabel = "new Grpc.AspNetCore";

if (Arg("--client") is { } target)
{
    var rows0 = await NetClient.RunAsync(NewLabel, target, warmup, duration, unaryOnly);
    Console.WriteLine(JsonSerializer.Serialize(rows0));
    return;
}
if (Arg("--profile-client") is { } target1)
{
    // Diagnostic: which types the client allocates per unary call (sampled).
    using var channel = GrpcChannel.ForAddress(target1);
    var client = new Infra.Grpc.Interop.Tests.V1.Tester.TesterClient(channel);
    var request = new Infra.Grpc.Interop.Tests.V1.EchoRequest { Text = "x" };
    for (var i = 0; i < 2000; i++) await client.UnaryAsync(request, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(30)));
    using var profile = new AllocationProfile();
    Console.WriteLine(await profile.RunAsync(50_000, () => client.UnaryAsync(request, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(30))).ResponseAsync));
    return;
}

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
GrpcServer.Add(builder, new IPEndPoint(IPAddress.Loopback, 0), null, new BearerTokenAuth(new HashSet<string>(), allowNoAuth: true));
builder.Services.AddSingleton<BenchService>();
var app = builder.Build();
app.MapGrpcService<BenchService>();
GrpcServer.Map(app);
await app.StartAsync();
var address = app.Urls.First();
var selfDll = typeof(NetClient).Assembly.Location;
List<string> ClientArgs(string dll, string at) => new[] { dll, "--client", at, "--seconds", seconds.ToString() }.Concat(unaryOnly ? new[] { "--unary-only" } : []).ToList();

if (args.Contains("--alloc-profile"))
{
    Console.WriteLine(Run("dotnet", new[] { selfDll, "--profile-client", address }, null));
    await app.StopAsync();
    return;
}

var python = !args.Contains("--no-python") && File.Exists("/usr/bin/python3");
using var baseline = args.Contains("--no-baseline") ? null : Baseline.Prepare(Arg("--baseline-commit") ?? Baseline.DefaultCommit, Arg("--baseline-dir"));
var oldServer = baseline?.StartServer();
var runs = new List<Row>();
var loads = new List<string>();
string? stubs = null;
try
{
    if (python)
    {
        stubs = Path.Combine(Path.GetTempPath(), "infra-grpc-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(stubs);
        Run("/usr/bin/python3", new[] { "-m", "grpc_tools.protoc", "-I", AppContext.BaseDirectory, "--python_out=" + stubs, "--grpc_python_out=" + stubs, "tester.proto" }, stubs);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "bench_client.py"), Path.Combine(stubs, "bench_client.py"));
    }
    // Besides old -> old and new -> new, each client against the other server: which side a change comes from.
    var pairs = new List<(string Label, string Dll, string Address, string Variant)> { ("new -> new", selfDll, address, "") };
    foreach (var v in Args("--variant")) pairs.Add(($"new -> new {v}", selfDll, address, v));
    if (baseline is not null && oldServer is { } o0)
    {
        pairs.Insert(0, ($"old -> old @{baseline.Commit}", baseline.ClientDll, o0.Address, ""));
        pairs.Add(("old client -> new srv", baseline.ClientDll, address, ""));
        pairs.Add(("new client -> old srv", selfDll, o0.Address, ""));
    }
    for (var round = 0; round < rounds; round++)
    {
        loads.Add(File.ReadAllText("/proc/loadavg").Split(' ')[0]);
        foreach (var (label, dll, at, variant) in pairs)
            runs.AddRange(JsonSerializer.Deserialize<List<Row>>(Run("dotnet", ClientArgs(dll, at), null, new() { ["INFRA_BENCH_VARIANT"] = variant }))!
                .Select(r => r with { Client = label }));
        if (stubs is null) continue;
        if (oldServer is { } o) runs.AddRange(Python.Run(o.Address, seconds, stubs, unaryOnly, Run).Select(r => r with { Client = "grpcio -> old srv" }));
        runs.AddRange(Python.Run(address, seconds, stubs, unaryOnly, Run).Select(r => r with { Client = "grpcio -> new srv" }));
    }
}
finally
{
    if (stubs is not null) Directory.Delete(stubs, true);
    if (oldServer is { } o) { o.Process.StandardInput.Close(); if (!o.Process.WaitForExit(10_000)) o.Process.Kill(true); o.Process.Dispose(); }
}

await app.StopAsync();
Table.Print(Table.Medians(runs));
Console.WriteLine($"old: the own runtime at {baseline?.Commit ?? "(skipped)"}, its client -> its server; new: Grpc.Net.Client -> the shipped GrpcServer composition.");
Console.WriteLine($"loopback h2c, {seconds} s per unary scenario after 1 s warm-up; {rounds} round(s), medians; load average at each round {string.Join(" ", loads)}, now {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");

IEnumerable<string> Args(string name) => args.Select((a, i) => (a, i)).Where(x => x.a == name && x.i + 1 < args.Length).Select(x => args[x.i + 1]);
string? Arg(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

static string Run(string file, IEnumerable<string> arguments, string? pythonPath, Dictionary<string, string>? env = null)
{
    var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in arguments) psi.ArgumentList.Add(a);
    foreach (var (k, v) in env ?? new()) psi.Environment[k] = v;
    if (pythonPath is not null) { psi.Environment["PYTHONPATH"] = pythonPath; psi.WorkingDirectory = pythonPath; }
    using var p = Process.Start(psi)!;
    var output = p.StandardOutput.ReadToEndAsync();
    var err = p.StandardError.ReadToEndAsync();
    if (!p.WaitForExit(180_000)) { p.Kill(true); throw new TimeoutException($"{file} did not finish in 180 s"); }
    if (p.ExitCode != 0) throw new InvalidOperationException($"{file} failed: {err.Result}");
    if (err.Result.Length > 0) Console.Error.Write(err.Result);
    return output.Result.Trim();
}
