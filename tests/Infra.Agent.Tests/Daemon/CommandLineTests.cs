using System.Diagnostics;
using Infra.Agent.Tests.Support;
using static Infra.Agent.Tests.Support.Resources;

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

    [Fact]
    public async Task CheckConfig_OfAGoodConfig_SaysOk_AndExits0WithoutStarting()
    {
        var path = Path.Combine(_dir, "agent.yaml");
        File.WriteAllText(path, "controller: {url: 'http://127.0.0.1:1'}\nhost_id: h1\ntunnel_ip: 127.0.0.1\nstate_dir: /nonexistent/ia-never\n");
        var (code, stdout, stderr) = await RunAsync("--config", path, "--check-config");
        Assert.True(code == 0, $"exit {code}: {stderr}");
        Assert.Contains("OK (host h1, controller http://127.0.0.1:1)", stdout);
        Assert.False(Directory.Exists("/nonexistent/ia-never"));
    }

    [Fact]
    public async Task RunnerSystemd_WithoutASystemBus_Exits1_SayingWhatToDo()
    {
        var path = Path.Combine(_dir, "agent.yaml");
        var state = Path.Combine("/tmp", "ia-" + Guid.NewGuid().ToString("N")[..8]); // short: unix sockets go below it
        File.WriteAllText(path, $"controller: {{url: 'http://127.0.0.1:1'}}\nhost_id: h1\ntunnel_ip: 127.0.0.1\nstate_dir: {state}\n" +
            "network: {enabled: false}\ncompute: {runner: systemd, allow_tcg: true, force_tcg: true, mhz_per_core: 2000}\n");
        // Test hosts do not boot systemd: either no system bus socket, or a bus without systemd on it.
        var (code, stdout, stderr) = await RunAsync("--config", path);
        try { Directory.Delete(state, recursive: true); } catch (DirectoryNotFoundException) { }
        Assert.True(code == 1, $"exit {code}: {stderr}{stdout}");
        Assert.Contains("infra-agent failed", stdout);
        Assert.Contains("compute.runner: supervised", stdout);
    }

    [Fact]
    public async Task Sigterm_StopsTheDaemon_LeavingItsWorkRunning_AndExits0()
    {
        await using var server = await ControllerServer.StartAsync();
        server.Controller.Script = s => s.SendAsync(Full(1));
        await using var agent = new AgentDaemon(server.Url);
        agent.Start();
        await server.Controller.WaitForAsync((_, m) => m.Ack?.Version == 1, TimeSpan.FromSeconds(60), "Ack v1");
        Assert.Equal(0, await agent.TerminateAsync());
        Assert.Contains("infra-agent stopping; VMs, volumes and flows are left running", agent.Log());
    }
}
