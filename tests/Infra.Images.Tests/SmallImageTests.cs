using System.Diagnostics;
using Infra.Images.Tests.Fixtures;
using Infra.Qmp;
using Infra.TestHosts;
using Xunit.Abstractions;

namespace Infra.Images.Tests;

/// <summary>
/// infra-small.qcow2 as a user boots it: from its GRUB disk over vhost-user-blk under TCG, configured
/// by a NoCloud config drive (on either bus the agent may use) or, without one, by DHCP and router
/// advertisements from Debian's dnsmasq; then driven through its serial console and shut down by ACPI.
/// </summary>
public sealed class SmallImageTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Boot = TimeSpan.FromMinutes(3);

    [Theory]
    [InlineData(DriveBus.ScsiCd)]
    [InlineData(DriveBus.VirtioBlk)]
    public async Task WithConfigDrive_AppliesNetworkHostnameKeys_RunsUserData_AndServesAConsoleShell(DriveBus bus)
    {
        var image = await BuildAsync();
        var dir = Directory.CreateTempSubdirectory("infra-image-test-").FullName;
        try
        {
            using var net = new GuestNetwork(dir);
            const string mac = "52:54:00:4a:00:05";
            var iso = ConfigDrive.Write(dir,
                metaData: """
                    instance-id: iid-small-1
                    local-hostname: vm-small-1
                    public-keys:
                      - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOne one@test
                      - "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAITwo two@test"
                    """,
                networkConfig: $$"""
                    version: 2
                    ethernets:
                      port0:
                        match:
                          macaddress: "{{mac}}"
                        set-name: eth0
                        mtu: 1400
                        addresses:
                          - 10.0.0.5/24
                          - fd00:10::5/64
                        routes:
                          - to: 0.0.0.0/0
                            via: {{GuestNetwork.Gateway}}
                          - {to: "::/0", via: "{{GuestNetwork.Gateway6}}"}
                          - to: 192.168.77.0/24
                            via: 10.0.0.254
                        nameservers:
                          addresses: [10.0.0.53, "fd00:10::53"]
                          search: [example.test]
                    """,
                userData: """
                    #!/bin/bash
                    echo "USERDATA-ROUTE $(ip route show 192.168.77.0/24)"
                    echo "USERDATA-ROUTE6 $(ip -6 route show default)"
                    echo "USERDATA-DNS $(grep -E '^(nameserver|search)' /etc/resolv.conf | tr '\n' ' ')"
                    ping -c1 -W5 10.0.0.1 >/dev/null && ping6 -c1 -W5 fd00:10::1 >/dev/null && echo USERDATA-PINGS-OK
                    """);
            await using var vm = await DiskVm.StartAsync(net, new DiskVmOptions(image, mac) { ConfigDrive = iso, ConfigDriveBus = bus });

            var line = await vm.WaitForConsoleAsync(@"^GUEST-NET .*$", Boot);
            output.WriteLine($"boot to GUEST-NET ({bus}): {vm.Elapsed.TotalSeconds:0.0} s");
            Assert.Equal("GUEST-NET src=cidata dev=eth0 ip=10.0.0.5/24 gw=10.0.0.1 ip6=fd00:10::5/64 mtu=1400", line.Value);
            Assert.Contains("GUEST-HOSTNAME vm-small-1 src=cidata", vm.ConsoleText());
            Assert.Contains("GUEST-SSH-KEYS 2", vm.ConsoleText());

            await vm.WaitForConsoleAsync(@"^GUEST-USERDATA ran rc=0", Boot);
            var console = vm.ConsoleText();
            Assert.Contains("USERDATA-ROUTE 192.168.77.0/24 via 10.0.0.254 dev eth0", console);
            Assert.Contains("USERDATA-ROUTE6 default via fd00:10::1 dev eth0", console);
            Assert.Contains("USERDATA-DNS nameserver 10.0.0.53 nameserver fd00:10::53 search example.test", console);
            Assert.Contains("USERDATA-PINGS-OK", console);

            // The address is really the guest's: it answers from the test's side of the tap.
            Assert.Equal(0, net.InNs("ping", "-c1", "-W10", "10.0.0.5").Exit);
            Assert.Equal(0, net.InNs("ping", "-6", "-c1", "-W10", "fd00:10::5").Exit);

            await TypeIntoShellAndPowerOffAsync(vm, "vm-small-1");
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public async Task WithoutConfigDrive_LeasesByDhcp_TakesSlaacAddress_AndAppliesRouterDnsAndMtu()
    {
        var image = await BuildAsync();
        var dir = Directory.CreateTempSubdirectory("infra-image-test-").FullName;
        try
        {
            using var net = new GuestNetwork(dir);
            const string mac = "52:54:00:4a:00:07";
            net.StartDnsmasq(mac, "10.0.0.7", mtu: 1450);
            await using var vm = await DiskVm.StartAsync(net, new DiskVmOptions(image, mac));

            var line = await vm.WaitForConsoleAsync(@"^GUEST-NET .*$", Boot);
            output.WriteLine($"boot to GUEST-NET (dhcp): {vm.Elapsed.TotalSeconds:0.0} s");
            Assert.Matches(@"^GUEST-NET src=dhcp dev=eth0 ip=10\.0\.0\.7/24 gw=10\.0\.0\.1 ip6=\S+ mtu=1450$", line.Value);
            Assert.Contains("GUEST-CIDATA none", vm.ConsoleText());

            // SLAAC: fd00:10::/64 from dnsmasq's RA plus the EUI-64 of the MAC; the router is the tap's link-local.
            var six = await vm.WaitForConsoleAsync(@"^GUEST-NET6 .*$", Boot);
            output.WriteLine($"boot to GUEST-NET6 (slaac): {vm.Elapsed.TotalSeconds:0.0} s");
            Assert.Matches(@"^GUEST-NET6 src=slaac dev=eth0 ip6=fd00:10::5054:ff:fe4a:7/64 gw6=fe80::\S+$", six.Value);

            Assert.Equal(0, net.InNs("ping", "-c1", "-W10", "10.0.0.7").Exit);
            Assert.Equal(0, net.InNs("ping", "-6", "-c1", "-W10", "fd00:10::5054:ff:fe4a:7").Exit);
            Assert.Contains(mac, File.ReadAllText(net.LeaseFile));

            await vm.WaitForConsoleAsync(@"^GUEST-READY", Boot);
            await vm.TypeAsync("echo DNS-$(grep -c 'nameserver 10.0.0.1' /etc/resolv.conf)\r");
            await vm.WaitForConsoleAsync(@"^DNS-1", TimeSpan.FromSeconds(60));
            await TypeIntoShellAndPowerOffAsync(vm, "infra-small");
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    /// <summary>An operator's commands through the serial console, then the agent's graceful stop (ACPI power button).</summary>
    private async Task TypeIntoShellAndPowerOffAsync(DiskVm vm, string hostname)
    {
        await vm.WaitForConsoleAsync(@"^GUEST-READY", Boot);
        await vm.TypeAsync("echo CONSOLE-$((6*7)) $(hostname)\r");
        await vm.WaitForConsoleAsync($@"^CONSOLE-42 {hostname}$", TimeSpan.FromSeconds(60));

        await using var qmp = await QmpClient.ConnectAsync(vm.QmpSocket);
        var sw = Stopwatch.StartNew();
        await qmp.ExecuteAsync("system_powerdown");
        await vm.WaitForExitAsync(TimeSpan.FromSeconds(60));
        output.WriteLine($"ACPI power-off to qemu exit: {sw.Elapsed.TotalSeconds:0.0} s");
        Assert.Contains("GUEST-ACPI-POWEROFF", vm.ConsoleText());
        Assert.Contains("GUEST-POWEROFF", vm.ConsoleText());
    }

    private async Task<string> BuildAsync()
    {
        var (path, took, log) = await ImageBuild.EnsureAsync("small");
        output.WriteLine($"images/build.sh small: {took.TotalSeconds:0.0} s");
        output.WriteLine(log);
        return path;
    }
}
