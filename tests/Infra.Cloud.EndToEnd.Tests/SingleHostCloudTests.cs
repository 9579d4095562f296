using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Infra.Cloud.EndToEnd.Tests.Support;
using Infra.TestHosts;

namespace Infra.Cloud.EndToEnd.Tests;

/// <summary>
/// What `make cloud` promises, proven with the real programs: an operator's instance, created with
/// infractl, becomes a qemu process on a vhost-user-blk clone of its image with a tap on br-int and a
/// deny-by-default pipeline around it; CPU MHz changes apply live; the agent can be SIGKILLed and
/// restarted without the VM noticing; stop and delete clean up after themselves.
/// </summary>
public sealed class SingleHostCloudTests : IAsyncLifetime
{
    static readonly TimeSpan Boot = TimeSpan.FromSeconds(120);
    CloudHost _cloud = null!;
    Infractl Ctl => _cloud.Ctl;

    public async Task InitializeAsync() => _cloud = await CloudHost.StartAsync();
    public async Task DisposeAsync() => await _cloud.DisposeAsync();

    /// <summary>A raw image with a recognisable pattern, so an export can be compared byte for byte.</summary>
    string MakeImage(int mib)
    {
        var path = Path.Combine(_cloud.Dir, "base.raw");
        var data = new byte[mib << 20];
        new Random(20261121).NextBytes(data.AsSpan(0, 1 << 20));
        data.AsSpan(0, 1 << 20).CopyTo(data.AsSpan((mib - 1) << 20));
        File.WriteAllBytes(path, data);
        return path;
    }

    static string State(JsonElement instance) => instance.GetProperty("state").GetString()!;

    async Task<(string Tenant, string Network, string Image)> TenantNetworkImageAsync()
    {
        var tenant = Infractl.Id(await Ctl.JsonAsync("tenant", "create", "acme"));
        var network = Infractl.Id(await Ctl.JsonAsync("network", "create", "-t", tenant, "-n", "web", "--subnet", "10.20.0.0/24,gateway=10.20.0.1"));
        var image = Infractl.Id(await Ctl.JsonAsync("image", "import", MakeImage(16), "-n", "base", "-t", tenant, "--format", "raw", "--no-progress"));
        return (tenant, network, image);
    }

    async Task<JsonElement> CreateRunningAsync(string tenant, string network, string image, string name)
    {
        var created = await Ctl.JsonAsync("instance", "create", "-t", tenant, "-n", name, "--vcpus", "2", "--cpu-mhz", "500", "--memory", "128M",
            "--image", image, "--network", network);
        return await Ctl.WaitAsync("instance", Infractl.Id(created), i => State(i) == "INSTANCE_STATE_RUNNING", Boot, _cloud.Logs);
    }

    [Fact]
    public async Task Instance_CreatedWithInfractl_RunsOnItsDiskAndNic_InsideTheDenyByDefaultPipeline()
    {
        var (tenant, network, image) = await TenantNetworkImageAsync();
        var instance = await CreateRunningAsync(tenant, network, image, "vm1");
        var id = Infractl.Id(instance);
        Assert.Equal(_cloud.HostId, instance.GetProperty("hostId").GetString());

        // One qemu, two vCPUs, its disk a vhost-user-blk socket served by a qemu-storage-daemon.
        var pid = _cloud.QemuPid(id) ?? throw new Xunit.Sdk.XunitException("no qemu names the instance\n" + _cloud.Logs());
        var argv = string.Join(' ', global::Infra.Agent.Compute.Runners.ProcessInspector.CommandLine(pid));
        Assert.Matches(@"-smp (cpus=)?2\b", argv);
        Assert.Contains("vhost-user-blk", argv);
        var boot = instance.GetProperty("bootVolumeId").GetString()!;
        Assert.Contains(CloudHost.PidsMentioning(boot), p => CloudHost.Comm(p).StartsWith("qemu-storage", StringComparison.Ordinal));
        var volume = await Ctl.WaitAsync("volume", boot, v => v.GetProperty("state").GetString() == "VOLUME_STATE_IN_USE", Boot, _cloud.Logs);
        Assert.Equal(id, volume.GetProperty("attachedInstanceId").GetString());

        // CPU is sold in MHz: 500 MHz of 2000 MHz cores is a quarter of one core, whatever the vCPU count.
        var cgroup = _cloud.Cgroups.For(id);
        Assert.True(cgroup.Contains(pid), "qemu is not in its VM cgroup");
        Assert.Equal((25_000L, 100_000L), cgroup.ReadCpuQuota());
        await Ctl.JsonAsync("instance", "resize", id, "--cpu-mhz", "1500");
        Cmd.WaitUntil(() => cgroup.ReadCpuQuota().QuotaUs == 75_000, "the live quota change to 1500 MHz", 30_000);
        Assert.Equal(pid, _cloud.QemuPid(id));

        // Its NIC is a tap on br-int with the port's id, and the pipeline drops what nobody allowed.
        var portId = instance.GetProperty("portIds")[0].GetString()!;
        string tap = "";
        Cmd.WaitUntil(() => (tap = _cloud.Ovs.Vsctl("--bare", "--columns=name", "find", "interface", $"external_ids:infra-port-id={portId}").Trim()).Length > 0,
            "the instance's port on br-int", 30_000);
        Assert.StartsWith("tap", tap);
        Assert.Contains(tap, argv);
        var ofport = int.Parse(_cloud.Ovs.Vsctl("get", "interface", tap, "ofport").Trim());
        Assert.True(ofport > 0, $"ofport {ofport}");
        var flows = _cloud.Ovs.Ofctl("dump-flows", _cloud.Ovs.OpenFlowTarget("br-int"));
        Assert.Matches(new Regex($@"table=0,.*in_port={ofport}\b"), flows);
        Assert.Matches(new Regex(@"table=0, .*priority=0 actions=drop"), flows);

        // Stop: qemu goes away, the instance says so, the disk stays.
        await Ctl.JsonAsync("instance", "stop", id, "--force");
        await Ctl.WaitAsync("instance", id, i => State(i) == "INSTANCE_STATE_STOPPED", Boot, _cloud.Logs);
        Cmd.WaitUntil(() => _cloud.QemuPid(id) is null, "qemu gone after stop", 30_000);

        // Delete: the instance, its port on br-int and its boot volume's daemon are gone.
        var deleted = await Ctl.RunAsync("instance", "delete", id, "--delete-boot-volume");
        Assert.True(deleted.Code == 0, deleted.ToString());
        Cmd.WaitUntil(() => !_cloud.Ovs.Vsctl("list-ports", "br-int").Contains(tap), "the tap removed from br-int", 30_000);
        Cmd.WaitUntil(() => CloudHost.PidsMentioning(boot).Count == 0, "the boot volume's storage daemon stopped", 30_000);
        Assert.Equal(4, (await Ctl.RunAsync("instance", "get", id)).Code);
    }

    [Fact]
    public async Task AgentKilled_TheVmKeepsRunningUntouched_AndTheRestartedAgentStillReportsIt()
    {
        var (tenant, network, image) = await TenantNetworkImageAsync();
        var id = Infractl.Id(await CreateRunningAsync(tenant, network, image, "vm1"));
        var pid = _cloud.QemuPid(id) ?? throw new Xunit.Sdk.XunitException("no qemu\n" + _cloud.Logs());
        var started = CloudHost.StartTime(pid);
        var boot = (await Ctl.JsonAsync("instance", "get", id)).GetProperty("bootVolumeId").GetString()!;
        var daemon = CloudHost.PidsMentioning(boot).Single(p => CloudHost.Comm(p).StartsWith("qemu-storage", StringComparison.Ordinal));
        var daemonStarted = CloudHost.StartTime(daemon);

        _cloud.KillAgent();
        // While the agent is away the controller still holds the instance; nothing on the host moves.
        await Task.Delay(1000);
        Assert.Equal(started, CloudHost.StartTime(pid));
        _cloud.StartAgent();
        await _cloud.WaitHostUpAsync();

        // A second instance proves the restarted agent is working, not just alive.
        var second = Infractl.Id(await CreateRunningAsync(tenant, network, image, "vm2"));
        Assert.NotNull(_cloud.QemuPid(second));
        Assert.Equal(pid, _cloud.QemuPid(id));
        Assert.Equal(started, CloudHost.StartTime(pid));
        Assert.Equal(daemonStarted, CloudHost.StartTime(daemon));
        Assert.Equal("INSTANCE_STATE_RUNNING", State(await Ctl.JsonAsync("instance", "get", id)));

        // A qemu that dies while the agent is away is reported as such once it is back.
        _cloud.KillAgent();
        global::Infra.Agent.Compute.Runners.ProcessInspector.Signal(pid, 9);
        Cmd.WaitUntil(() => !global::Infra.Agent.Compute.Runners.ProcessInspector.IsAlive(pid), "qemu killed", 10_000);
        _cloud.StartAgent();
        var after = await Ctl.WaitAsync("instance", id, i => State(i) != "INSTANCE_STATE_RUNNING" || _cloud.QemuPid(id) is { } p && p != pid,
            Boot, _cloud.Logs);
        // Either reported (ERROR/STOPPED with a reason) or already restarted by the agent as desired state says: never silently "running" on a dead PID.
        if (State(after) != "INSTANCE_STATE_RUNNING")
            Assert.False(string.IsNullOrEmpty(after.GetProperty("stateReason").GetString()), after.ToString());
    }
}
