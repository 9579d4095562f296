using System.Text.Json;
using System.Text.RegularExpressions;
using Infra.Cloud.EndToEnd.Tests.Support;
using Infra.TestGuest;

namespace Infra.Cloud.EndToEnd.Tests;

/// <summary>
/// A guest without cloud-init configures its NIC from the host: the test guest (infra.dhcp=1) runs
/// busybox udhcpc on eth0 through the real tap, br-int and the controller's compiled flows to the
/// agent's responder on infra-dhcp, forms its IPv6 address by SLAAC from the responder's RA, then
/// asks again from a spoofed MAC. Everything is set up with infractl; what the guest heard is read
/// from its console with `infractl instance log`.
/// </summary>
public sealed class GuestDhcpCloudTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    static readonly TimeSpan Boot = TimeSpan.FromSeconds(180);
    CloudHost _cloud = null!;

    public async Task InitializeAsync()
    {
        var image = await TestGuestImage.EnsureBuiltAsync();
        _cloud = await CloudHost.StartAsync(new Dictionary<string, string>
        {
            ["INFRA_AGENT_TEST_GUEST_KERNEL"] = image.Kernel,
            ["INFRA_AGENT_TEST_GUEST_INITRD"] = image.Initrd,
            ["INFRA_AGENT_TEST_GUEST_APPEND"] = "console=ttyS0 panic=-1 no_timer_check infra.dhcp=1",
        });
    }

    public async Task DisposeAsync() => await _cloud.DisposeAsync();

    [Fact]
    public async Task GuestWithoutCloudInit_GetsItsOwnAddressRouterRoutesAndSlaacPrefix_AndNothingFromASpoofedMac()
    {
        var ctl = _cloud.Ctl;
        var tenant = Infractl.Id(await ctl.JsonAsync("tenant", "create", "acme"));
        var network = Infractl.Id(await ctl.JsonAsync("network", "create", "-t", tenant, "-n", "lan", "--mtu", "1400",
            "--subnet", "10.30.0.0/24,gateway=10.30.0.1,dns=10.30.0.253,route=192.168.50.0/24@10.30.0.254",
            "--subnet", "fd00:30::/64,gateway=fd00:30::1"));
        var raw = Path.Combine(_cloud.Dir, "disk.raw");
        File.WriteAllBytes(raw, new byte[1 << 20]);
        var disk = Infractl.Id(await ctl.JsonAsync("image", "import", raw, "-n", "disk", "-t", tenant, "--format", "raw", "--no-progress"));
        var instance = Infractl.Id(await ctl.JsonAsync("instance", "create", "-t", tenant, "-n", "web-1", "--vcpus", "1", "--cpu-mhz", "2000",
            "--memory", "256M", "--image", disk, "--network", network));
        await ctl.WaitAsync("instance", instance, i => i.GetProperty("state").GetString() == "INSTANCE_STATE_RUNNING", Boot, _cloud.Logs);
        var port = (await ctl.JsonAsync("port", "list", "--instance", instance)).GetProperty("ports")[0];
        var addresses = port.GetProperty("fixedIps").EnumerateArray().Select(f => f.GetProperty("address").GetString()!).ToList();
        var (v4, v6) = (addresses.Single(a => a.Contains('.')), addresses.Single(a => a.Contains(':')));

        var log = await WaitForLogAsync(instance, "GUEST-DHCP-DONE");
        foreach (var line in log.Split('\n').Where(l => l.Contains("GUEST-"))) output.WriteLine(line);

        var lease = Regex.Match(log, "GUEST-DHCP ip=(\\S*) mask=(\\S*) router=(\\S*) dns=(\\S*) host=(\\S*) mtu=(\\S*) routes=(.*)");
        Assert.True(lease.Success, "no lease in the guest's console:\n" + log);
        Assert.Equal([v4, "24", "10.30.0.1", "10.30.0.253", "web-1", "1400"], lease.Groups.Values.Skip(1).Take(6).Select(g => g.Value.Trim()));
        // Option 121 carries the subnet's host route and, because a client reading it ignores option 3, the default route too.
        Assert.Equal("192.168.50.0/24 10.30.0.254 0.0.0.0/0 10.30.0.1", lease.Groups[7].Value.Trim());
        var six = Regex.Match(log, "GUEST-IPV6 addr=(\\S*) route=(\\S*)");
        Assert.True(six.Success, log);
        Assert.Equal(v6 + "/64", six.Groups[1].Value);
        Assert.StartsWith("fe80::", six.Groups[2].Value);
        Assert.Contains("GUEST-DHCP-SPOOF none", log);
        Assert.DoesNotContain("GUEST-DHCP-NONE", log);
    }

    async Task<string> WaitForLogAsync(string instance, string text)
    {
        var deadline = DateTime.UtcNow + Boot;
        CtlResult last;
        do
        {
            last = await _cloud.Ctl.RunAsync("instance", "log", instance);
            if (last.Code == 0 && last.Out.Contains(text, StringComparison.Ordinal)) return last.Out;
            await Task.Delay(500);
        } while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"instance log never showed '{text}': {last}\n{_cloud.Logs()}");
    }
}
