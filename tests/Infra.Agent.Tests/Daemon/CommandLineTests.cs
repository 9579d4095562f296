using System.Diagnostics;

namespace Infra.Agent.Tests.Daemon;

public sealed class CommandLineTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("infra-agent-cli-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(AgentDaemon.DllPath());
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (p.ExitCode, await o, await e);
    }

    [Fact]
    public async Task BadConfig_ExitsWith2_ListingEveryError()
    {
        var path = Path.Combine(_dir, "agent.yaml");
        File.WriteAllText(path, "controller: {url: 'ftp://nowhere'}\nhost_id: h\ntunnel_ip: x\ncompute: {runner: lxc}\n");
        var (code, _, err) = await RunAsync("--config", path);
        Assert.Equal(2, code);
        Assert.Contains("3 error(s)", err);
        Assert.Contains("controller.url", err);
        Assert.Contains("tunnel_ip", err);
        Assert.Contains("compute.runner", err);
    }

    [Fact]
    public async Task UnknownArgument_ExitsWith2()
    {
        var (code, _, err) = await RunAsync("--frobnicate");
        Assert.Equal(2, code);
        Assert.Contains("usage", err);
    }
}
