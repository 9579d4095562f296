using Infra.Cloud.EndToEnd.Tests.Support;

namespace Infra.Cloud.EndToEnd.Tests;

/// <summary>
/// ISC dhclient (strict about checksums, server ids and option formats) against the agent's
/// responder: an instance placed with --no-start has its tap made and switched, and a
/// <see cref="TapClient"/> stands where its qemu would. The same port from a spoofed MAC gets nothing.
/// </summary>
public sealed class GuestDhclientCloudTests : IAsyncLifetime
{
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);
    CloudHost _cloud = null!;

    public async Task InitializeAsync() => _cloud = await CloudHost.StartAsync();

    public async Task DisposeAsync() => await _cloud.DisposeAsync();

    [Fact]
    public async Task Dhclient_OnThePortsTap_IsBoundToItsAddressWithRouterDnsMtuAndClasslessRoutes()
    {
        var ctl = _cloud.Ctl;
        var tenant = Infractl.Id(await ctl.JsonAsync("tenant", "create", "acme"));
        var network = Infractl.Id(await ctl.JsonAsync("network", "create", "-t", tenant, "-n", "lan",
            "--subnet", "10.40.0.0/24,gateway=10.40.0.1,dns=10.40.0.253,route=172.16.0.0/12@10.40.0.254"));
        var raw = Path.Combine(_cloud.Dir, "disk.raw");
        File.WriteAllBytes(raw, new byte[1 << 20]);
        var disk = Infractl.Id(await ctl.JsonAsync("image", "import", raw, "-n", "disk", "-t", tenant, "--format", "raw", "--no-progress"));
        var instance = Infractl.Id(await ctl.JsonAsync("instance", "create", "-t", tenant, "-n", "db-1", "--vcpus", "1", "--cpu-mhz", "1000",
            "--memory", "128M", "--image", disk, "--network", network, "--no-start"));
        var port = (await ctl.JsonAsync("port", "list", "--instance", instance)).GetProperty("ports")[0];
        var (portId, mac) = (port.GetProperty("meta").GetProperty("id").GetString()!, port.GetProperty("macAddress").GetString()!);
        var address = port.GetProperty("fixedIps")[0].GetProperty("address").GetString()!;
        var tap = await TapOnBridgeAsync(portId);

        using var client = TapClient.Attach(_cloud.Ovs, tap, mac);
        var bound = await DhclientAsync(client, "own", expectLease: true);

        Assert.Contains($"new_ip_address={address}", bound);
        Assert.Contains("new_subnet_mask=255.255.255.0", bound);
        Assert.Contains("new_routers=10.40.0.1", bound);
        Assert.Contains("new_domain_name_servers=10.40.0.253", bound);
        Assert.Contains("new_dhcp_server_identifier=10.40.0.1", bound);
        Assert.Contains("new_host_name=db-1", bound);
        Assert.Contains("new_interface_mtu=1450", bound);
        Assert.Contains("new_rfc3442_classless_static_routes=12 172 16 10 40 0 254 0 10 40 0 1", bound);

        client.SetMac("02:de:ad:be:ef:02");
        Assert.Equal("", await DhclientAsync(client, "spoofed", expectLease: false));
    }

    /// <summary>The port's tap once the agent has put it on br-int.</summary>
    async Task<string> TapOnBridgeAsync(string portId)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (DateTime.UtcNow < deadline)
        {
            var name = _cloud.Ovs.Vsctl("--bare", "--columns=name", "find", "Interface", $"external_ids:iface-id={portId}").Trim();
            if (name.Length > 0) return name;
            await Task.Delay(250);
        }
        throw new TimeoutException($"port {portId} never reached br-int\n{_cloud.Logs()}");
    }

    /// <summary>One dhclient run (one attempt, 12 s); returns the new_* variables of its BOUND, or "" when none came.</summary>
    static async Task<string> DhclientAsync(TapClient c, string run, bool expectLease)
    {
        var conf = Path.Combine(c.Dir, run + ".conf");
        var script = Path.Combine(c.Dir, run + ".sh");
        var output = Path.Combine(c.Dir, run + ".env");
        File.WriteAllText(conf, """
            option rfc3442-classless-static-routes code 121 = array of unsigned integer 8;
            request subnet-mask, routers, domain-name-servers, host-name, interface-mtu, rfc3442-classless-static-routes;
            timeout 12;
            retry 1;
            """);
        // Records what the server gave; configures nothing (the namespace's address does not matter here).
        File.WriteAllText(script, $"#!/bin/sh\n[ \"$reason\" = BOUND ] && env | grep '^new_' | sort > {output}.tmp && mv {output}.tmp {output}\nexit 0\n");
        Infra.TestHosts.Cmd.Run("chmod", "700", script);
        var p = c.StartInClient("dhclient", "-1", "-d", "-v", "-cf", conf, "-sf", script, "-lf", Path.Combine(c.Dir, run + ".leases"),
            "-pf", Path.Combine(c.Dir, run + ".pid"), c.Interface);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(expectLease ? 60 : 20);
        while (DateTime.UtcNow < deadline && !File.Exists(output) && !p.HasExited) await Task.Delay(200);
        if (!p.HasExited) p.Kill();
        await p.WaitForExitAsync();
        return File.Exists(output) ? File.ReadAllText(output) : "";
    }
}
