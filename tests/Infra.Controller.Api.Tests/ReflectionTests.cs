using System.Diagnostics;
using Infra.Controller.Api.Tests.Support;

namespace Infra.Controller.Api.Tests;

/// <summary>Python grpcio (Debian's python3-grpcio + python3-grpc-tools) lists the daemon's services over reflection.</summary>
public sealed class ReflectionTests : IDisposable
{
    const string Token = "reflection-token-0123456789";
    readonly string _dir = Path.Combine(Path.GetTempPath(), "infra-refl-" + Guid.NewGuid().ToString("N"));

    public ReflectionTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    static async Task<(int Code, string Out, string Err)> RunAsync(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try { await p.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { p.Kill(true); throw; }
        return (p.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task PythonGrpcio_ListsEveryServiceOverReflection()
    {
        var stubs = Path.Combine(_dir, "stubs");
        Directory.CreateDirectory(stubs);
        var protos = Path.Combine(AppContext.BaseDirectory, "grpcprotos");
        var gen = await RunAsync("/usr/bin/python3", "-m", "grpc_tools.protoc", "-I", protos, "--python_out", stubs, "--grpc_python_out", stubs,
            Path.Combine(protos, "reflection/v1/reflection.proto"));
        Assert.True(gen.Code == 0, gen.Err);
        File.WriteAllText(Path.Combine(_dir, "tokens"), Token + "\n");
        File.WriteAllText(Path.Combine(_dir, "c.yaml"), $"image_directory: {_dir}/images\n");
        var ready = Path.Combine(_dir, "ready");
        using var d = DaemonProcess.Start("--config", Path.Combine(_dir, "c.yaml"), "--listen", "127.0.0.1:0", "--ready-file", ready,
            "--store", "sqlite:" + Path.Combine(_dir, "state.db"), "--token-file", Path.Combine(_dir, "tokens"));
        var url = new Uri(await d.WaitReadyAsync(ready));
        var run = await RunAsync("/usr/bin/python3", Path.Combine(AppContext.BaseDirectory, "Python", "list_services.py"), stubs, url.Authority, Token);
        Assert.True(run.Code == 0, run.Err);
        var services = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var name in Api.ApiRegistration.ServiceNames) Assert.Contains(name, services);
        Assert.Contains("grpc.health.v1.Health", services);
    }
}
