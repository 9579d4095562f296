using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Infra.Controller.Southbound.Guest;
using Infra.Controller.Southbound.Tests.Support;
using Infra.V1;

namespace Infra.Controller.Southbound.Tests.Guest;

/// <summary>
/// The config drive's files read back by PyYAML, the parser cloud-init itself uses, so quoting and
/// nesting are proven against the real reader rather than against our own expectations of YAML.
/// </summary>
public sealed class ConfigDriveComposerTests
{
    static Network Net(uint mtu = 0, params HostRoute[] routes)
    {
        var s = new Subnet { Cidr = "10.0.0.0/24", Gateway = "10.0.0.1", IpVersion = IpVersion._4 };
        s.DnsServers.Add("10.0.0.53");
        s.HostRoutes.AddRange(routes);
        var n = new Network { Meta = new ObjectMeta { Id = "net-t1" }, TenantId = "t1", Mtu = mtu };
        n.Subnets.Add(s);
        return n;
    }

    static ConfigDriveInputs Inputs(Instance i, Network net, IReadOnlyList<string>? keys = null, string userData = "") =>
        new(i, [Objects.Port("prt-a", "t1", i.Meta.Id, "h1", "02:00:00:00:00:0a", "10.0.0.10")],
            new Dictionary<string, Network> { ["net-t1"] = net }, keys ?? [], Encoding.UTF8.GetBytes(userData));

    /// <summary>PyYAML's safe_load of <paramref name="yaml"/>, as JSON.</summary>
    static JsonElement Load(string yaml)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3", ["-c", "import sys, json, yaml; print(json.dumps(yaml.safe_load(sys.stdin.read())))"])
        { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        p.StandardInput.Write(yaml);
        p.StandardInput.Close();
        var output = p.StandardOutput.ReadToEnd();
        var error = p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(30_000), "python3 did not exit");
        Assert.True(p.ExitCode == 0, $"PyYAML rejected:\n{yaml}\n{error}");
        return JsonDocument.Parse(output).RootElement;
    }

    [Fact]
    public void MetaData_CarriesInstanceIdHostnameAndKeys_QuotedSoPyYamlReadsThemBack()
    {
        var i = Objects.Instance("ins-aaaaaaaaaaaaaaaa", "t1", "h1", "prt-a");
        // An OpenSSH key's comment is free text: colons, hashes and quotes must survive.
        var key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice: \"laptop\" #1 'x'";
        var m = Load(ConfigDriveComposer.MetaData(i, [key, "ssh-rsa AAAAB3NzaC1yc2E bob"]));
        Assert.Equal("ins-aaaaaaaaaaaaaaaa", m.GetProperty("instance-id").GetString());
        Assert.Equal("ins-aaaaaaaaaaaaaaaa-name", m.GetProperty("local-hostname").GetString());
        Assert.Equal([key, "ssh-rsa AAAAB3NzaC1yc2E bob"], m.GetProperty("public-keys").EnumerateArray().Select(k => k.GetString()!).ToArray());
    }

    [Fact]
    public void MetaData_PrefersTheHostnameGivenAtCreate()
    {
        var i = Objects.Instance("ins-aaaaaaaaaaaaaaaa", "t1", "h1", "prt-a");
        i.Hostname = "web-1";
        Assert.Equal("web-1", Load(ConfigDriveComposer.MetaData(i, [])).GetProperty("local-hostname").GetString());
    }

    [Fact]
    public void NetworkConfig_IsVersion2_MatchedByMac_WithAddressGatewayRoutesDnsAndMtu()
    {
        var i = Objects.Instance("ins-aaaaaaaaaaaaaaaa", "t1", "h1", "prt-a");
        var drive = ConfigDriveComposer.Compose(Inputs(i, Net(1400, new HostRoute { Destination = "192.168.7.0/24", Nexthop = "10.0.0.254" })));
        var n = Load(drive.NetworkConfig);
        Assert.Equal(2, n.GetProperty("version").GetInt32());
        var nic = Assert.Single(n.GetProperty("ethernets").EnumerateObject()).Value;
        Assert.Equal("02:00:00:00:00:0a", nic.GetProperty("match").GetProperty("macaddress").GetString());
        Assert.Equal(1400, nic.GetProperty("mtu").GetInt32());
        Assert.False(nic.GetProperty("dhcp4").GetBoolean());
        Assert.Equal(["10.0.0.10/24"], nic.GetProperty("addresses").EnumerateArray().Select(a => a.GetString()!).ToArray());
        var routes = nic.GetProperty("routes").EnumerateArray().Select(r => (r.GetProperty("to").GetString(), r.GetProperty("via").GetString())).ToArray();
        Assert.Equal([("0.0.0.0/0", "10.0.0.1"), ("192.168.7.0/24", "10.0.0.254")], routes);
        Assert.Equal(["10.0.0.53"], nic.GetProperty("nameservers").GetProperty("addresses").EnumerateArray().Select(a => a.GetString()!).ToArray());
    }

    [Fact]
    public void NetworkConfig_DefaultMtu_LeavesRoomForTheGreOverlay()
    {
        var i = Objects.Instance("ins-aaaaaaaaaaaaaaaa", "t1", "h1", "prt-a");
        var nic = Load(ConfigDriveComposer.Compose(Inputs(i, Net())).NetworkConfig).GetProperty("ethernets").EnumerateObject().Single().Value;
        Assert.Equal(1450, nic.GetProperty("mtu").GetInt32());
    }

    [Fact]
    public void UserData_IsPassedThroughByteForByte()
    {
        var i = Objects.Instance("ins-aaaaaaaaaaaaaaaa", "t1", "h1", "prt-a");
        const string script = "#cloud-config\nruncmd:\n  - [sh, -c, 'echo \"hi: there\" > /tmp/x']\n";
        Assert.Equal(script, ConfigDriveComposer.Compose(Inputs(i, Net(), userData: script)).UserData.ToStringUtf8());
    }
}
