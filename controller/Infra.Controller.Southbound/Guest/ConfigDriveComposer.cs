using System.Collections.Immutable;
using Google.Protobuf;
using Infra.Controller.Domain.Guests;
using Infra.Controller.Domain.Model;
using Infra.V1;

namespace Infra.Controller.Southbound.Guest;

/// <summary>What a config drive is composed from: the instance, its NICs' ports in guest order,
/// their networks, the public keys of its key pairs and its user-data.</summary>
public sealed record ConfigDriveInputs(
    Instance Instance,
    IReadOnlyList<Port> Nics,
    IReadOnlyDictionary<string, Network> Networks,
    IReadOnlyList<string> PublicKeys,
    ReadOnlyMemory<byte> UserData);

/// <summary>
/// Composes an instance's cloud-init NoCloud files. Pure, so the agent stays dumb (it writes the files
/// onto an ISO as they are) and so the output is covered byte for byte by tests.
/// <list type="bullet">
/// <item>meta-data: instance-id (stable for the instance's life: cloud-init runs its per-instance
/// modules, user-data scripts included, once per instance-id, so a drive rebuilt for a port change
/// must not re-run them), local-hostname, public-keys.</item>
/// <item>network-config: version 2, one ethernet per NIC matched by MAC (guest NIC names are not ours
/// to predict), everything else from <see cref="GuestNetwork.For"/>, the same rule the host's DHCP
/// responder answers with, so a guest gets the same addresses whichever way it asks.</item>
/// <item>user-data: the caller's bytes unchanged (a #! script or #cloud-config; empty when none).</item>
/// </list>
/// </summary>
public static class ConfigDriveComposer
{
    public static ConfigDrive Compose(ConfigDriveInputs x)
    {
        var nics = GuestNetwork.For(x.Nics, x.Networks);
        return new ConfigDrive
        {
            MetaData = MetaData(x.Instance, x.PublicKeys),
            NetworkConfig = NetworkConfig(nics),
            UserData = ByteString.CopyFrom(x.UserData.Span),
        };
    }

    /// <summary>The guest's hostname: the one given at create, else the instance name (both RFC 1123 labels).</summary>
    public static string Hostname(Instance i) => i.Hostname.Length > 0 ? i.Hostname : i.Meta.Name;

    public static string MetaData(Instance i, IReadOnlyList<string> publicKeys) =>
        new NoCloudYaml()
            .Str("instance-id", i.Meta.Id)
            .Str("local-hostname", Hostname(i))
            .Strs("public-keys", publicKeys)
            .ToString();

    public static string NetworkConfig(ImmutableArray<GuestNic> nics) =>
        new NoCloudYaml()
            .Int("version", 2)
            .Map("ethernets", e =>
            {
                for (var n = 0; n < nics.Length; n++) e.Map($"nic{n}", c => Ethernet(c, nics[n]));
            })
            .ToString();

    static void Ethernet(NoCloudYaml c, GuestNic nic)
    {
        c.Map("match", m => m.Str("macaddress", nic.Mac.ToString()));
        c.Int("mtu", nic.Mtu);
        c.Bool("dhcp4", false);
        c.Bool("dhcp6", false);
        // On a SLAAC /64 the static address is the one SLAAC forms too, so router advertisements
        // (which also bring the v6 default route) may be accepted; elsewhere they are not ours.
        if (nic.V6 is not null) c.Bool("accept-ra", nic.V6Slaac);
        c.Strs("addresses", new[] { nic.V4, nic.V6 }.OfType<GuestIp>().Select(a => a.ToString()));
        var routes = new List<(string To, string Via)>();
        if (nic.Gateway4 is { } g4) routes.Add(("0.0.0.0/0", g4.ToString()));
        if (nic.Gateway6 is { } g6) routes.Add(("::/0", g6.ToString()));
        routes.AddRange(nic.Routes.Select(r => (r.Destination.ToString(), r.Nexthop.ToString())));
        if (routes.Count > 0) c.Maps("routes", routes, (r, x) => r.Str("to", x.To).Str("via", x.Via));
        if (nic.DnsServers.Length > 0)
            c.Map("nameservers", d => d.Strs("addresses", nic.DnsServers.Select(a => a.ToString())));
    }
}
