using Infra.Cloud.EndToEnd.Tests.Support;
using Infra.TestHosts;

namespace Infra.Cloud.EndToEnd.Tests;

/// <summary>
/// Two hosts of one cloud: h1 (192.168.77.1, the controller and an agent) and h2 (192.168.77.2, an
/// agent dialling h1's controller), cabled by a veth underlay, each with its own OVS; GRE between
/// them is what the agents make from the controller's tunnel peers. Tenants demo and other, each with
/// 10.0.0.0/24. Demo's A and B are placed apart by an anti-affinity group; other's guests sit on the
/// very addresses of demo's, each on the host of the demo guest it does NOT share an address with
/// (affinity groups), so every cross-host answer could have come from a local impostor:
/// OA (A's address) next to B on h2, OB (B's address) next to A on h1. All booted to GUEST-READY
/// from the real small image, on taps the agents made. h2 has no shared image storage: its image_dir
/// is pre-seeded with each image the test imports, as an operator would copy it.
/// </summary>
public sealed class CrossHostCloud : IAsyncLifetime
{
    public const string Subnet = "10.0.0.0/24,gateway=10.0.0.1";
    public CloudHost H1 { get; private set; } = null!;
    public CloudHost H2 { get; private set; } = null!;
    public Infractl Ctl => H1.Ctl;
    public GuestShell Shell { get; private set; } = null!;
    public string Image { get; private set; } = "";
    public string Qcow2 { get; private set; } = "";
    public string Demo { get; private set; } = "";
    public string DemoNet { get; private set; } = "";
    public Guest A { get; private set; } = null!;
    public Guest B { get; private set; } = null!;
    public Guest OA { get; private set; } = null!;
    public Guest OB { get; private set; } = null!;
    public string HostOfA { get; private set; } = "";
    public string HostOfB { get; private set; } = "";

    public string Logs() => (H1?.Logs() ?? "") + "\n" + (H2?.Logs() ?? "");

    public async Task InitializeAsync()
    {
        var (qcow2, _, _) = await ImageBuild.EnsureAsync("small");
        Qcow2 = qcow2;
        try
        {
            H1 = await CloudHost.StartOnUnderlayAsync(Underlay.Ip(1));
            H2 = await CloudHost.JoinAsync(H1, Underlay.Ip(2), shareImages: false);
            Shell = new GuestShell(Ctl, Logs);
            Demo = Infractl.Id(await Ctl.JsonAsync("tenant", "create", "demo"));
            var other = Infractl.Id(await Ctl.JsonAsync("tenant", "create", "other"));
            DemoNet = Infractl.Id(await Ctl.JsonAsync("network", "create", "-t", Demo, "-n", "net", "--subnet", Subnet));
            var otherNet = Infractl.Id(await Ctl.JsonAsync("network", "create", "-t", other, "-n", "net", "--subnet", Subnet));
            Image = Infractl.Id(await Ctl.JsonAsync("image", "import", qcow2, "-n", "infra-small", "--no-progress"));
            H2.SeedImage(H1, Image);
            // One after another, each placed before the next: the groups' members are what placement reads.
            var a = await CreatePlacedAsync(Demo, "a", "--network", DemoNet, "--anti-affinity-group", "demo-apart", "--affinity-group", "with-a");
            var b = await CreatePlacedAsync(Demo, "b", "--network", DemoNet, "--anti-affinity-group", "demo-apart", "--affinity-group", "with-b");
            var aAddress = (await Shell.NicAsync(a.Id)).Address;
            var bAddress = (await Shell.NicAsync(b.Id)).Address;
            var oa = await CreatePlacedAsync(other, "oa", "--network", $"{otherNet},ip={aAddress}", "--affinity-group", "with-b");
            var ob = await CreatePlacedAsync(other, "ob", "--network", $"{otherNet},ip={bAddress}", "--affinity-group", "with-a");
            (HostOfA, HostOfB) = (a.Host, b.Host);
            Assert.NotEqual(HostOfA, HostOfB);
            Assert.Equal(HostOfB, oa.Host);
            Assert.Equal(HostOfA, ob.Host);
            var guests = await Task.WhenAll(new[] { a, b, oa, ob }.Select(g => ReadyAsync(g.Id)));
            (A, B, OA, OB) = (guests[0], guests[1], guests[2], guests[3]);
        }
        catch { await DisposeAsync(); throw; }
    }

    public async Task DisposeAsync()
    {
        if (H2 is not null) await H2.DisposeAsync();
        if (H1 is not null) await H1.DisposeAsync();
    }

    /// <summary>`infractl instance create` of a small guest, then waits until placement named its host.</summary>
    public async Task<(string Id, string Host)> CreatePlacedAsync(string tenant, string name, params string[] extra) => await CreatePlacedFromAsync(Image, tenant, name, extra);

    public async Task<(string Id, string Host)> CreatePlacedFromAsync(string image, string tenant, string name, params string[] extra)
    {
        var id = Infractl.Id(await Ctl.JsonAsync(["instance", "create", "-t", tenant, "-n", name, "--vcpus", "1", "--cpu-mhz", "1000", "--memory", "192M",
            "--image", image, .. extra]));
        var placed = await Ctl.WaitAsync("instance", id, i => i.TryGetProperty("hostId", out var h) && h.GetString() is { Length: > 0 }
            || i.GetProperty("state").GetString() == "INSTANCE_STATE_ERROR", TimeSpan.FromSeconds(60), Logs);
        Assert.True(placed.TryGetProperty("hostId", out var host), $"instance {name} was not placed: {placed}\n{Logs()}");
        return (id, host.GetString()!);
    }

    /// <summary>Waits for GUEST-READY and checks the guest gave itself its port's address.</summary>
    public async Task<Guest> ReadyAsync(string id)
    {
        var log = await Shell.WaitReadyAsync(id);
        var (address, mac, port) = await Shell.NicAsync(id);
        GuestShell.AssertConfigured(log, address);
        return new Guest(id, address, mac, port);
    }
}
