using System.Diagnostics;
using Infra.Agent.Compute.ConfigDrive;
using Infra.Controller.Southbound.Guest;
using Infra.Images.Tests.Fixtures;
using Infra.Qmp.GuestAgent;
using Infra.TestHosts;
using Xunit.Abstractions;
using V1 = Infra.V1;

namespace Infra.Images.Tests;

/// <summary>
/// infra-debian.qcow2 as a user boots it: Debian 12 from its GRUB disk over vhost-user-blk under TCG
/// with a NoCloud config drive. cloud-init must apply the drive's network-config and install its SSH
/// key (proved by logging in with the private key from the test's side of the tap), and the real
/// qemu-guest-agent must answer ping and freeze/thaw through the agent's own client.
/// </summary>
public sealed class DebianImageTests(ITestOutputHelper output)
{
    // cloud-init is Python: a first boot under TCG takes minutes on a loaded two-core machine.
    private static readonly TimeSpan Boot = TimeSpan.FromMinutes(15);

    [Fact]
    public async Task WithConfigDrive_CloudInitAppliesNetworkAndKey_AndGuestAgentFreezesAndThaws()
    {
        var (image, took, log) = await ImageBuild.EnsureAsync("debian");
        output.WriteLine($"images/build.sh debian: {took.TotalSeconds:0.0} s");
        output.WriteLine(log);
        var dir = Directory.CreateTempSubdirectory("infra-image-test-").FullName;
        try
        {
            using var net = new GuestNetwork(dir);
            var key = Path.Combine(dir, "id_ed25519");
            Cmd.Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "images-test", "-f", key);
            const string mac = "52:54:00:4a:00:09";
            // The drive the shipped code makes for an instance: the controller's composer (meta-data and
            // network-config v2 from the port and its network) written by the agent's ISO writer, so the
            // real cloud-init reads exactly what a VM of ours gets.
            var iso = ShippedConfigDrive(dir, mac, File.ReadAllText(key + ".pub").Trim());
            await using var vm = await DiskVm.StartAsync(net, new DiskVmOptions(image, mac) { ConfigDrive = iso, MemoryMiB = 1024 });

            var ssh = await WaitForSshAsync(net, key, "10.0.0.9", vm);
            output.WriteLine($"boot to SSH login with the config drive's key: {vm.Elapsed.TotalSeconds:0} s");
            var facts = Ssh(net, key, "10.0.0.9",
                "hostname; ip -o -4 addr show scope global; ip -o -6 addr show scope global; ip route show default; " +
                "cat /sys/class/net/*/mtu; resolvectl dns; cloud-init status --wait").Output;
            output.WriteLine(facts);
            Assert.StartsWith("vm-debian-1\n", ssh);
            Assert.Contains("inet 10.0.0.9/24", facts);
            Assert.Contains("inet6 fd00:10::9/64", facts);
            Assert.Contains("default via 10.0.0.1", facts);
            Assert.Contains("1400", facts);
            Assert.Contains("10.0.0.53", facts);
            Assert.Contains("status: done", facts);
            Assert.Contains("Datasource DataSourceNoCloud", vm.ConsoleText());
            Assert.Contains("instance ins-debian", Ssh(net, key, "10.0.0.9", "echo instance $(cloud-init query instance_id)").Output);
            Assert.Contains("vm-debian-1 login:", vm.ConsoleText());

            // The real qemu-guest-agent over its virtio-serial port, through the agent's client.
            await using var qga = await GuestAgentClient.ConnectAsync(vm.GuestAgentSocket,
                new GuestAgentOptions { SyncTimeout = TimeSpan.FromSeconds(30), CommandTimeout = TimeSpan.FromSeconds(60) });
            var sw = Stopwatch.StartNew();
            await qga.PingAsync();
            var frozen = await qga.FreezeAsync();
            Assert.Equal(FreezeStatus.Frozen, frozen.Status);
            Assert.True(frozen.FilesystemCount >= 1, $"froze {frozen.FilesystemCount} filesystems");
            Assert.Equal(FreezeStatus.Frozen, await qga.GetFreezeStatusAsync());
            var thawed = await qga.ThawAsync();
            Assert.Equal(frozen.FilesystemCount, thawed.FilesystemCount);
            Assert.Equal(FreezeStatus.Thawed, await qga.GetFreezeStatusAsync());
            output.WriteLine($"guest agent ping, freeze ({frozen.FilesystemCount} filesystems), thaw: {sw.Elapsed.TotalSeconds:0.0} s");
            // The guest still writes after the thaw.
            Assert.Contains("after-thaw", Ssh(net, key, "10.0.0.9", "echo after-thaw | sudo tee /var/tmp/probe && sync").Output);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    /// <summary>An instance vm-debian-1 with one port (10.0.0.9 and fd00:10::9) on a network with MTU 1400,
    /// a gateway and a DNS server, composed and written as the controller and agent do.</summary>
    private static string ShippedConfigDrive(string dir, string mac, string publicKey)
    {
        var net = new V1.Network { Meta = new V1.ObjectMeta { Id = "net-debian" }, TenantId = "ten-t", Mtu = 1400 };
        var s4 = new V1.Subnet { Cidr = "10.0.0.0/24", Gateway = GuestNetwork.Gateway, IpVersion = V1.IpVersion._4 };
        s4.DnsServers.Add("10.0.0.53");
        net.Subnets.Add(s4);
        net.Subnets.Add(new V1.Subnet { Cidr = "fd00:10::/64", IpVersion = V1.IpVersion._6 });
        var port = new V1.Port { Meta = new V1.ObjectMeta { Id = "prt-debian" }, TenantId = "ten-t", NetworkId = net.Meta.Id, MacAddress = mac };
        port.FixedIps.Add(new V1.FixedIp { SubnetCidr = "10.0.0.0/24", Address = "10.0.0.9" });
        port.FixedIps.Add(new V1.FixedIp { SubnetCidr = "fd00:10::/64", Address = "fd00:10::9" });
        var instance = new V1.Instance { Meta = new V1.ObjectMeta { Id = "ins-debian", Name = "vm-debian-1" }, TenantId = "ten-t" };
        var drive = ConfigDriveComposer.Compose(new ConfigDriveInputs(instance, [port],
            new Dictionary<string, V1.Network> { [net.Meta.Id] = net }, [publicKey], "#cloud-config\n"u8.ToArray()));
        var iso = Path.Combine(dir, "cidata.iso");
        File.WriteAllBytes(iso, NoCloudImage.Build(drive.MetaData, drive.NetworkConfig, drive.UserData.Span));
        return iso;
    }

    /// <summary>Polls ssh (bounded) until the key from the config drive logs in; returns the first command's output.</summary>
    private static async Task<string> WaitForSshAsync(GuestNetwork net, string key, string ip, DiskVm vm)
    {
        var deadline = Stopwatch.StartNew();
        string last = "";
        while (deadline.Elapsed < Boot)
        {
            if (vm.HasExited) throw new InvalidOperationException($"the VM exited. console:\n{vm.Tail()}");
            var (exit, o) = Ssh(net, key, ip, "hostname");
            if (exit == 0) return o;
            last = o;
            await Task.Delay(TimeSpan.FromSeconds(3));
        }
        throw new TimeoutException($"no SSH login to {ip} within {Boot}: {last}\nconsole:\n{vm.Tail()}");
    }

    private static (int Exit, string Output) Ssh(GuestNetwork net, string key, string ip, string command) =>
        net.InNs("ssh", "-i", key, "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10", $"debian@{ip}", command);
}
