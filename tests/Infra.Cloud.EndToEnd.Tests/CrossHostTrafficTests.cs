using Infra.Cloud.EndToEnd.Tests.Support;
using Xunit.Abstractions;

namespace Infra.Cloud.EndToEnd.Tests;

/// <summary>
/// Guests on two hosts talking through their real taps, each host's OVS and the GRE tunnel between
/// them, read from the guests' serial consoles: a tenant's guests answer each other across hosts and
/// never a same-address guest of another tenant beside them (whose own guests answer each other
/// across the same hosts), and a policy on a port lets through exactly what it allows, across the
/// tunnel too. A VM placed on a host whose image_dir lacks its image is reported ERROR with the reason
/// but keeps being retried, and boots once the operator seeds the image.
/// </summary>
public sealed class CrossHostTrafficTests(CrossHostCloud f, ITestOutputHelper log) : IClassFixture<CrossHostCloud>
{
    GuestShell Shell => f.Shell;

    [Fact]
    public async Task GuestsOfOneTenantOnTwoHosts_AnswerEachOthersPingsOverGre_AndTheOtherTenantsSameAddressGuests_ReachOnlyEachOther()
    {
        Assert.Equal(f.A.Address, f.OA.Address);
        Assert.Equal(f.B.Address, f.OB.Address);
        Assert.Contains($"bytes from {f.B.Address}", await Shell.PingAnsweredAsync(f.A.Id, f.B.Address));
        Assert.Contains($"bytes from {f.A.Address}", await Shell.PingAnsweredAsync(f.B.Id, f.A.Address));
        // The answers came over the tunnel, not from the other tenant's guest on the same host and address.
        await AssertNeighbourAsync(f.A, f.B.Address, f.B.Mac, f.OB.Mac);
        await AssertNeighbourAsync(f.B, f.A.Address, f.A.Mac, f.OA.Mac);
        // The packets crossed the underlay as GRE: each host's OVS holds a GRE port to the other's address.
        log.WriteLine($"h1 GRE: {Gre(f.H1, "options")} {Gre(f.H1, "statistics")}\nh2 GRE: {Gre(f.H2, "options")} {Gre(f.H2, "statistics")}");
        Assert.Contains($"remote_ip={f.H2.TunnelIp}", Gre(f.H1, "options"));
        Assert.Contains($"remote_ip={f.H1.TunnelIp}", Gre(f.H2, "options"));
        foreach (var h in new[] { f.H1, f.H2 }) { Assert.Contains("rx_packets=", Gre(h, "statistics")); Assert.DoesNotMatch(@"\brx_packets=0\b", Gre(h, "statistics")); }

        // Other's guests have demo's very addresses on the same two hosts: their pings cross the tunnel
        // too, and are answered by other's guest on the far host, never by demo's guest beside it.
        Assert.Contains($"bytes from {f.OB.Address}", await Shell.PingAnsweredAsync(f.OA.Id, f.OB.Address));
        Assert.Contains($"bytes from {f.OA.Address}", await Shell.PingAnsweredAsync(f.OB.Id, f.OA.Address));
        await AssertNeighbourAsync(f.OA, f.B.Address, f.OB.Mac, f.B.Mac);
        await AssertNeighbourAsync(f.OB, f.A.Address, f.OA.Mac, f.A.Mac);
        // And demo's guests never learned an other guest's MAC for any address.
        foreach (var g in new[] { f.A, f.B })
        {
            var (_, all) = await Shell.RunAsync(g.Id, "ip neigh show");
            Assert.DoesNotContain(f.OA.Mac, all, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(f.OB.Mac, all, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task PolicyAllowingIcmpAndOneTcpPort_AcrossHosts_AnswersThose_AndRefusesAnotherPort()
    {
        const int Allowed = 8080, Denied = 9090;
        var policy = Infractl.Id(await f.Ctl.JsonAsync("policy", "create", "-t", f.Demo, "-n", "web",
            "--rule", "direction=ingress,protocol=icmp,cidr=10.0.0.0/24", "--rule", $"direction=ingress,protocol=tcp,ports={Allowed},cidr=10.0.0.0/24",
            "--rule", "direction=egress,protocol=any,cidr=0.0.0.0/0"));
        // Servers on both ports, so a silent port is the policy's doing, not nothing listening.
        var (rc, _) = await Shell.RunAsync(f.B.Id, string.Join(" ", new[] { Allowed, Denied }.Select(p => $"(while true; do echo OPEN-{p} | nc -l -p {p}; done) >/dev/null 2>&1 &")) + " true");
        Assert.Equal(0, rc);
        Assert.Contains($"OPEN-{Denied}", await ConnectAsync(f.A, f.B.Address, Denied));   // the default policy lets the tenant in

        var update = await f.Ctl.RunAsync("port", "update", f.B.PortId, "--policy", policy);
        Assert.True(update.Code == 0, update.ToString());
        string denied = "";
        for (var i = 0; i < 10 && (denied = await ConnectAsync(f.A, f.B.Address, Denied)).Contains($"OPEN-{Denied}"); i++) await Task.Delay(2000);
        Assert.DoesNotContain($"OPEN-{Denied}", denied);
        Assert.Contains($"OPEN-{Allowed}", await ConnectAsync(f.A, f.B.Address, Allowed));
        Assert.Contains($"bytes from {f.B.Address}", await Shell.PingAnsweredAsync(f.A.Id, f.B.Address));
        log.WriteLine($"A -> B:{Denied} under policy web:\n{denied}");

        // Back to the tenant's default, as the other test knows B.
        var back = await f.Ctl.RunAsync("port", "update", f.B.PortId, "--policy", (await f.Ctl.JsonAsync("tenant", "get", f.Demo)).GetProperty("defaultPolicyId").GetString()!);
        Assert.True(back.Code == 0, back.ToString());
        string again = "";
        for (var i = 0; i < 10 && !(again = await ConnectAsync(f.A, f.B.Address, Denied)).Contains($"OPEN-{Denied}"); i++) await Task.Delay(2000);
        Assert.Contains($"OPEN-{Denied}", again);   // the server was there all along: the policy was what refused
    }

    [Fact]
    public async Task VmOnAHostWithoutItsImage_IsRetried_AndBootsOnceTheOperatorSeedsTheImage()
    {
        var image = Infractl.Id(await f.Ctl.JsonAsync("image", "import", f.Qcow2, "-n", "infra-small-late", "--no-progress"));
        // h2 is the host without shared image storage: join the group of the demo guest placement put there.
        var onH2 = f.HostOfA == f.H2.HostId ? "with-a" : "with-b";
        var (id, host) = await f.CreatePlacedFromAsync(image, f.Demo, "late", "--network", f.DemoNet, "--affinity-group", onH2);
        Assert.Equal(f.H2.HostId, host);
        // Reported ERROR with the reason (the nack's), while h2 retries the start on each pass (2 s).
        var waiting = await f.Ctl.WaitAsync("instance", id, i => i.GetProperty("stateReason").GetString()!.Contains("volume"), TimeSpan.FromSeconds(60), f.H2.Logs);
        log.WriteLine($"VM on {host} without its image: {waiting.GetProperty("state")}: {waiting.GetProperty("stateReason")}");
        await Task.Delay(TimeSpan.FromSeconds(6));

        f.H2.SeedImage(f.H1, image);
        await f.Ctl.WaitAsync("instance", id, i => i.GetProperty("state").GetString() == "INSTANCE_STATE_RUNNING", GuestShell.Boot, f.H2.Logs);
        await f.ReadyAsync(id);
        Assert.True((await f.Ctl.RunAsync("instance", "delete", id)).Code == 0);
    }

    async Task<string> ConnectAsync(Guest from, string address, int port) =>
        (await Shell.RunAsync(from.Id, $"echo hi | nc -w 3 {address} {port} | sed 's/^/GOT-/'")).Output.Contains($"GOT-OPEN-{port}") ? $"GOT-OPEN-{port}" : "no answer";

    async Task AssertNeighbourAsync(Guest from, string address, string mac, string impostor)
    {
        var (_, neigh) = await Shell.RunAsync(from.Id, $"ip neigh show {address}");
        Assert.Contains(mac, neigh, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(impostor, neigh, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A column of the host's GRE interface (there is one peer, so one row).</summary>
    static string Gre(CloudHost h, string column) => h.Ovs.Vsctl("--bare", $"--columns={column}", "find", "interface", "type=gre").Trim();
}
