using System.Diagnostics;
using Infra.Cloud.EndToEnd.Tests.Support;
using Xunit.Abstractions;

namespace Infra.Cloud.EndToEnd.Tests;

/// <summary>
/// Real guests talking over the taps the agent makes: pings typed into the guests' serial consoles,
/// answered within a tenant and never across tenants that share a subnet and an address; a port
/// reused at once by a new VM; five VMs deleted at once while another VM's stop is carried out; and
/// an agent killed with SIGKILL under running guests, whose taps and traffic never notice.
/// </summary>
public sealed class GuestTrafficTests(GuestTrafficCloud f, ITestOutputHelper log) : IClassFixture<GuestTrafficCloud>
{
    static readonly TimeSpan Gone = TimeSpan.FromSeconds(150);
    Infractl Ctl => f.Ctl;
    GuestShell Shell => f.Shell;

    [Fact]
    public async Task GuestsOfOneTenant_AnswerEachOthersPings_AndATenantOnTheSameSubnetAndAddress_ReachesNeither()
    {
        Assert.Equal(f.A.Address, f.O.Address);
        Assert.Contains($"bytes from {f.B.Address}", await Shell.PingAnsweredAsync(f.A.Id, f.B.Address));
        Assert.Contains($"bytes from {f.A.Address}", await Shell.PingAnsweredAsync(f.B.Id, f.A.Address));
        // The answer to B came from A, not from O on the same address: B learned A's MAC.
        var (_, neigh) = await Shell.RunAsync(f.B.Id, $"ip neigh show {f.A.Address}");
        Assert.Contains(f.A.Mac, neigh, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(f.O.Mac, neigh, StringComparison.OrdinalIgnoreCase);

        var (answered, output) = await Shell.PingAsync(f.O.Id, f.B.Address);
        Assert.False(answered, $"other's guest reached demo's B at {f.B.Address}:\n{output}");
        Assert.Contains("100% packet loss", output);
    }

    [Fact]
    public async Task VmDeleted_AndANewOneCreatedOnItsPortAtOnce_Runs_AndPings()
    {
        var port = Infractl.Id(await Ctl.JsonAsync("port", "create", "--network", f.DemoNet, "-n", "reused"));
        var first = await f.CreateAsync(f.Demo, "first", "--port", port);
        var guest = await f.ReadyAsync(first);
        var tap = f.TapOf(port);

        var deleted = await Ctl.RunAsync("instance", "delete", first);
        Assert.True(deleted.Code == 0, deleted.ToString());
        var again = await f.CreateAsync(f.Demo, "again", "--port", port);
        var running = await Ctl.WaitAsync("instance", again, i => i.GetProperty("state").GetString() is "INSTANCE_STATE_RUNNING" or "INSTANCE_STATE_ERROR",
            GuestShell.Boot, f.Cloud.Logs);
        Assert.True(running.GetProperty("state").GetString() == "INSTANCE_STATE_RUNNING", $"the new VM on the reused port: {running}\n{f.Cloud.Logs()}");
        var second = await f.ReadyAsync(again);
        await f.WaitGoneAsync(first, Gone);

        Assert.Equal(guest.Address, second.Address);
        Assert.NotEqual(tap, f.TapOf(port));   // a tap per (port, instance): the new qemu never waits for the old one's
        Assert.Contains($"bytes from {f.A.Address}", await Shell.PingAnsweredAsync(again, f.A.Address));
        Assert.Contains($"bytes from {second.Address}", await Shell.PingAnsweredAsync(f.A.Id, second.Address));
        Assert.True((await Ctl.RunAsync("instance", "delete", again)).Code == 0);
        await f.WaitGoneAsync(again, Gone);
    }

    [Fact]
    public async Task FiveVmsDeletedAtOnce_AreAllGone_WhileAnotherVmsStateKeepsMoving()
    {
        var ids = new List<string>();
        for (var n = 1; n <= 5; n++) ids.Add(await f.CreateAsync(f.Other, $"many{n}", "--network", f.OtherNet));
        // The host's eight vCPU threads (2 cores x the default ratio 4) are now all taken; other's O is the VM to watch.
        var watched = f.O.Id;
        await Task.WhenAll(ids.Select(f.ReadyAsync));

        var sw = Stopwatch.StartNew();
        var deletes = await Task.WhenAll(ids.Select(id => Ctl.RunAsync("instance", "delete", id)));
        Assert.All(deletes, d => Assert.True(d.Code == 0, d.ToString()));
        var stop = await Ctl.RunAsync("instance", "stop", watched, "--force");
        Assert.True(stop.Code == 0, stop.ToString());
        var gone = Task.WhenAll(ids.Select(async id => { await f.WaitGoneAsync(id, Gone); return sw.Elapsed; }));
        await Ctl.WaitAsync("instance", watched, i => i.GetProperty("state").GetString() == "INSTANCE_STATE_STOPPED", Gone, f.Cloud.Logs);
        var stopped = sw.Elapsed;
        var each = await gone;
        log.WriteLine($"five running VMs deleted at once: gone (API and qemu) after {string.Join(", ", each.Select(t => $"{t.TotalSeconds:F1}"))} s; " +
            $"all in {each.Max().TotalSeconds:F1} s (one after another at 30 s each would be 150 s); meanwhile O, stopped at the same moment, was reported STOPPED after {stopped.TotalSeconds:F1} s");
        Assert.Equal("INSTANCE_STATE_RUNNING", (await Ctl.JsonAsync("instance", "get", f.A.Id)).GetProperty("state").GetString());

        // O back as the other tests know it: running, its shell answering.
        Assert.True((await Ctl.RunAsync("instance", "start", watched)).Code == 0);
        await Ctl.WaitAsync("instance", watched, i => i.GetProperty("state").GetString() == "INSTANCE_STATE_RUNNING", Gone, f.Cloud.Logs);
        await Shell.WaitShellAsync(watched);
    }

    [Fact]
    public async Task AgentKilled_GuestsKeepRunningOnTheirTaps_AndStillAnswerPings_BeforeAndAfterItsRestart()
    {
        var guests = new[] { f.A, f.B };
        var pids = guests.Select(g => f.Cloud.QemuPid(g.Id) ?? throw new Xunit.Sdk.XunitException($"no qemu for {g.Id}")).ToArray();
        var taps = guests.Select(g => f.TapOf(g.PortId)).ToArray();
        var links = taps.Select(t => Index(f.Link(t))).ToArray();
        foreach (var t in taps) AssertUp(f.Link(t));

        // The console goes through the agent, so the guest pings on its own across the outage and the
        // test reads the count afterwards: traffic must not depend on the agent being there.
        var (rc, _) = await Shell.RunAsync(f.A.Id, $"(ping -c 20 -W 2 {f.B.Address} > /tmp/outage.txt 2>&1; echo OUTAGE-PING-END >> /tmp/outage.txt) & true");
        Assert.Equal(0, rc);
        f.Cloud.KillAgent();
        await Task.Delay(TimeSpan.FromSeconds(5));
        f.Cloud.StartAgent();
        await f.Cloud.WaitHostUpAsync();
        // A few passes of the restarted agent's reconcile loop (2 s each) over the adopted VMs.
        await Task.Delay(TimeSpan.FromSeconds(6));
        Assert.Equal(pids, guests.Select(g => f.Cloud.QemuPid(g.Id) ?? 0).ToArray());
        Assert.Equal(links, taps.Select(t => Index(f.Link(t))));
        foreach (var t in taps) AssertUp(f.Link(t));
        Assert.Equal(taps, guests.Select(g => f.TapOf(g.PortId)));
        var outage = "";
        for (var i = 0; i < 30 && !outage.Contains("OUTAGE-PING-END"); i++, await Task.Delay(2000))
            (_, outage) = await Shell.RunAsync(f.A.Id, "cat /tmp/outage.txt");
        log.WriteLine("ping from A to B while the agent was killed and restarted:\n" + string.Join('\n', outage.Split('\n').Where(l => l.Contains("packets"))));
        Assert.Contains("OUTAGE-PING-END", outage);
        Assert.Contains(" 0% packet loss", outage);
        Assert.Contains($"bytes from {f.A.Address}", await Shell.PingAnsweredAsync(f.B.Id, f.A.Address));
        Assert.Contains($"bytes from {f.B.Address}", await Shell.PingAnsweredAsync(f.A.Id, f.B.Address));
        foreach (var g in guests)
            Assert.Equal("INSTANCE_STATE_RUNNING", (await Ctl.JsonAsync("instance", "get", g.Id)).GetProperty("state").GetString());
    }

    /// <summary>The interface index, first field of `ip -o link`: a re-made tap gets a new one.</summary>
    static string Index(string link) => link.Split(':')[0].Trim();

    /// <summary>Up (the agent), carrier (qemu holds it open), at the MTU the agent gave it.</summary>
    static void AssertUp(string link)
    {
        Assert.Matches(@"<[^>]*\bUP\b[^>]*>", link);
        Assert.Contains("LOWER_UP", link);
        Assert.Contains("mtu 1500", link);
    }
}
