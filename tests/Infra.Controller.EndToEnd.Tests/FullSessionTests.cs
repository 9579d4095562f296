using System.Diagnostics;
using System.Text.Json;
using Infra.Controller.Api.Tests.Support;
using Infra.Controller.EndToEnd.Tests.Support;
using Infra.V1;

namespace Infra.Controller.EndToEnd.Tests;

/// <summary>
/// The real daemon on SQLite, driven as an operator (infractl) and as an agent (AgentSession): what
/// the operator creates reaches the host's desired state through the one daemon process.
/// </summary>
public sealed class FullSessionTests : IDisposable
{
    readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    DaemonProcess StartDaemon()
    {
        File.WriteAllText(_dir.Combine("controller.yaml"), $"image_directory: {_dir.Combine("images")}\n");
        return DaemonProcess.Start("--config", _dir.Combine("controller.yaml"), "--listen", "127.0.0.1:0", "--ready-file", _dir.Combine("ready"),
            "--store", "sqlite:" + _dir.Combine("state.db"), "--token-file", _dir.TokenFile, "--node-id", "ctl-e2e");
    }

    string MakeQcow2()
    {
        var path = _dir.Combine("tiny.qcow2");
        using var p = Process.Start(new ProcessStartInfo("qemu-img", ["create", "-q", "-f", "qcow2", path, "16M"]) { UseShellExecute = false })!;
        Assert.True(p.WaitForExit(30_000), "qemu-img did not finish");
        Assert.Equal(0, p.ExitCode);
        return path;
    }

    [Fact]
    public async Task OperatorAndAgent_InstanceCreatedWithInfractl_ReachesTheHostsDesiredState()
    {
        using var daemon = StartDaemon();
        var url = await daemon.WaitReadyAsync(_dir.Combine("ready"));
        var ctl = new CtlSession(url, TempDir.Token);

        var tenant = CtlSession.Id(await ctl.JsonAsync("tenant", "create", "acme"));
        var network = CtlSession.Id(await ctl.JsonAsync("network", "create", "-t", tenant, "-n", "web-net", "--subnet", "10.20.0.0/24"));
        var policy = CtlSession.Id(await ctl.JsonAsync("policy", "create", "-t", tenant, "-n", "ssh"));
        var withRule = await ctl.JsonAsync("policy", "rule", "add", policy, "--direction", "ingress", "--protocol", "tcp", "--ports", "22", "--remote-cidr", "0.0.0.0/0");
        Assert.Equal(1, withRule.GetProperty("rules").GetArrayLength());

        // The host registers itself the way an agent does: Hello with its inventory.
        var (agent, welcome) = await Support.Agent.ConnectAsync(url, TempDir.Token, "e2e-host-1", "192.0.2.10");
        await using var _ = agent;
        Assert.Equal("ctl-e2e", welcome.ControllerId);
        var host = await ctl.JsonAsync("host", "get", "e2e-host-1");
        Assert.Equal("HOST_STATE_UP", host.GetProperty("state").GetString());

        var image = CtlSession.Id(await ctl.JsonAsync("image", "import", MakeQcow2(), "-n", "tiny", "-t", tenant, "--format", "qcow2", "--no-progress"));

        var created = await ctl.JsonAsync("instance", "create", "-t", tenant, "-n", "vm1", "--vcpus", "1", "--cpu-mhz", "1000", "--memory", "1G",
            "--image", image, "--network", $"{network},policy={policy}");
        var instance = CtlSession.Id(created);
        var got = await ctl.JsonAsync("instance", "get", instance);
        Assert.Equal("INSTANCE_STATE_SCHEDULED", got.GetProperty("state").GetString());
        Assert.Equal("e2e-host-1", got.GetProperty("hostId").GetString());
        var portId = got.GetProperty("portIds")[0].GetString()!;

        var held = await agent.UntilAsync(h => h.OfKind(DesiredKind.Vm).Any(r => r.Vm.Id == instance)
            && h.OfKind(DesiredKind.Port).Any(r => r.Port.Id == portId) && h.OfKind(DesiredKind.FlowGroup).Any());
        var vm = held.OfKind(DesiredKind.Vm).Single(r => r.Vm.Id == instance).Vm;
        Assert.Equal(InstanceState.Running, vm.PowerState);
        Assert.Equal(1u, vm.Vcpus);
        Assert.Contains(portId, vm.PortIds);
        var port = held.OfKind(DesiredKind.Port).Single(r => r.Port.Id == portId).Port;
        Assert.Equal(instance, port.InstanceId);
        Assert.Equal(tenant, port.TenantId);

        // Table output for people, too.
        var table = await ctl.RunAsync("instance", "get", instance);
        Assert.True(table.Code == 0, table.ToString());
        Assert.Contains("vm1", table.Out);

        var stopped = await ctl.JsonAsync("instance", "stop", instance);
        Assert.Equal("INSTANCE_STATE_STOPPED", stopped.GetProperty("desiredState").GetString());
        await agent.UntilAsync(h => h.OfKind(DesiredKind.Vm).Any(r => r.Vm.Id == instance && r.Vm.PowerState == InstanceState.Stopped));
        var started = await ctl.JsonAsync("instance", "start", instance);
        Assert.Equal("INSTANCE_STATE_RUNNING", started.GetProperty("desiredState").GetString());
        var afterStart = await agent.UntilAsync(h => h.OfKind(DesiredKind.Vm).Any(r => r.Vm.Id == instance && r.Vm.PowerState == InstanceState.Running));
        var generation = afterStart.OfKind(DesiredKind.Vm).Single(r => r.Vm.Id == instance).Vm.RebootGeneration;

        // Reboot is a state: the API's reboot generation reaches the VmSpec. The agent reports RUNNING first.
        await agent.ReportVmAsync(instance, InstanceState.Running);
        for (var i = 0; i < 100 && (await ctl.JsonAsync("instance", "get", instance)).GetProperty("state").GetString() != "INSTANCE_STATE_RUNNING"; i++)
            await Task.Delay(100);
        Assert.Equal("INSTANCE_STATE_RUNNING", (await ctl.JsonAsync("instance", "get", instance)).GetProperty("state").GetString());
        var reboot = await ctl.RunAsync("instance", "reboot", instance);
        Assert.True(reboot.Code == 0, reboot.ToString());
        await agent.UntilAsync(h => h.OfKind(DesiredKind.Vm).Any(r => r.Vm.Id == instance && r.Vm.RebootGeneration == generation + 1));

        var list = await ctl.JsonAsync("instance", "list", "--tenant", tenant);
        Assert.Equal(JsonValueKind.Array, list.GetProperty("instances").ValueKind);
        Assert.Single(list.GetProperty("instances").EnumerateArray());
    }

    [Fact]
    public async Task BadRequest_PrintsEveryFieldViolation_AndExits3()
    {
        using var daemon = StartDaemon();
        var url = await daemon.WaitReadyAsync(_dir.Combine("ready"));
        var ctl = new CtlSession(url, TempDir.Token);
        var tenant = CtlSession.Id(await ctl.JsonAsync("tenant", "create", "acme"));

        var r = await ctl.RunAsync("network", "create", "-t", tenant, "-n", "Not A Valid Name!", "--subnet", "10.20.0.0/24");

        Assert.True(r.Code == 3, r.ToString());
        Assert.Contains("error: invalid argument: ", r.Err);
        Assert.Contains("name", r.Err);
    }
}
