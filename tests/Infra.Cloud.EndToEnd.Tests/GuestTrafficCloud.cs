using Infra.Cloud.EndToEnd.Tests.Support;
using Infra.TestHosts;

namespace Infra.Cloud.EndToEnd.Tests;

/// <summary>A booted guest: its instance id and the address and MAC of its NIC.</summary>
public sealed record Guest(string Id, string Address, string Mac, string PortId);

/// <summary>
/// One cloud (the shipped controller and agent, no test hooks) running the real small image, laid
/// out like `make cloud`'s demo: tenants demo and other, each with a network 10.0.0.0/24; guests A and
/// B in demo, and O in other on A's very address, so overlapping tenants are the case under test. All
/// three booted to GUEST-READY, configured from the controller's config drive, on taps the agent made.
/// </summary>
public sealed class GuestTrafficCloud : IAsyncLifetime
{
    public const string Subnet = "10.0.0.0/24,gateway=10.0.0.1";
    public CloudHost Cloud { get; private set; } = null!;
    public Infractl Ctl => Cloud.Ctl;
    public GuestShell Shell { get; private set; } = null!;
    public string Image { get; private set; } = "";
    public string Demo { get; private set; } = "";
    public string DemoNet { get; private set; } = "";
    public string Other { get; private set; } = "";
    public string OtherNet { get; private set; } = "";
    public Guest A { get; private set; } = null!;
    public Guest B { get; private set; } = null!;
    public Guest O { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var (qcow2, _, _) = await ImageBuild.EnsureAsync("small");
        Cloud = await CloudHost.StartAsync();
        try
        {
            Shell = new GuestShell(Ctl, Cloud.Logs);
            Demo = Infractl.Id(await Ctl.JsonAsync("tenant", "create", "demo"));
            Other = Infractl.Id(await Ctl.JsonAsync("tenant", "create", "other"));
            DemoNet = Infractl.Id(await Ctl.JsonAsync("network", "create", "-t", Demo, "-n", "net", "--subnet", Subnet));
            OtherNet = Infractl.Id(await Ctl.JsonAsync("network", "create", "-t", Other, "-n", "net", "--subnet", Subnet));
            Image = Infractl.Id(await Ctl.JsonAsync("image", "import", qcow2, "-n", "infra-small", "--no-progress"));
            var a = await CreateAsync(Demo, "a", "--network", DemoNet);
            var b = await CreateAsync(Demo, "b", "--network", DemoNet);
            var aAddress = (await Shell.NicAsync(a)).Address;
            var o = await CreateAsync(Other, "o", "--network", $"{OtherNet},ip={aAddress}");
            var guests = await Task.WhenAll(new[] { a, b, o }.Select(ReadyAsync));
            (A, B, O) = (guests[0], guests[1], guests[2]);
        }
        catch { await Cloud.DisposeAsync(); throw; }
    }

    public async Task DisposeAsync() => await Cloud.DisposeAsync();

    /// <summary>`infractl instance create` of a small guest; returns its id (not waiting for it).</summary>
    public async Task<string> CreateAsync(string tenant, string name, params string[] nic) =>
        Infractl.Id(await Ctl.JsonAsync(["instance", "create", "-t", tenant, "-n", name, "--vcpus", "1", "--cpu-mhz", "1000", "--memory", "192M",
            "--image", Image, .. nic]));

    /// <summary>Waits for GUEST-READY and checks the guest gave itself its port's address.</summary>
    public async Task<Guest> ReadyAsync(string id)
    {
        var log = await Shell.WaitReadyAsync(id);
        var (address, mac, port) = await Shell.NicAsync(id);
        try { GuestShell.AssertConfigured(log, address); }
        catch (Exception e) when (Cloud.QemuPid(id) is { } pid)
        {
            var vmDir = Path.Combine(Cloud.StateDir, "vms", id);
            throw new Xunit.Sdk.XunitException($"{e.Message}\nqemu: {string.Join(' ', global::Infra.Agent.Compute.Runners.ProcessInspector.CommandLine(pid))}\n" +
                $"{vmDir}: {string.Join(' ', Directory.GetFiles(vmDir).Select(Path.GetFileName))}\n{Cloud.Logs()}");
        }
        return new Guest(id, address, mac, port);
    }

    /// <summary>The tap on br-int that carries the port (the agent names it; qemu opened it).</summary>
    public string TapOf(string portId)
    {
        var tap = "";
        Cmd.WaitUntil(() => (tap = Cloud.Ovs.Vsctl("--bare", "--columns=name", "find", "interface", $"external_ids:infra-port-id={portId}").Trim()).Length > 0,
            $"port {portId} on br-int", 30_000);
        return tap;
    }

    /// <summary>`ip -o link show` of a device in the cloud's namespace: flags, MTU, index.</summary>
    public string Link(string device) => Cloud.Ovs.Exec("ip", "-o", "link", "show", "dev", device);

    /// <summary>NOT_FOUND from the API and no qemu naming the instance.</summary>
    public async Task WaitGoneAsync(string id, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if ((await Ctl.RunAsync("instance", "get", id)).Code == 4 && Cloud.QemuPid(id) is null) return;
            await Task.Delay(250);
        }
        throw new TimeoutException($"instance {id} still there after {timeout.TotalSeconds:F0} s\n{Cloud.Logs()}");
    }
}
