using Infra.Ctl.Cli;
using Infra.V1;

namespace Infra.Ctl.Output;

/// <summary>Tables for people: the key columns of each object. Scripts should use --output json.</summary>
public static partial class Render
{
    public static void Tenants(IEnumerable<Tenant> items, TextWriter w)
    {
        var t = new Table("ID", "NAME", "TUNNEL-KEY", "DEFAULT-POLICY", "LABELS", "REVISION");
        foreach (var x in items) t.Row(x.Meta?.Id, x.Meta?.Name, x.TunnelKey, x.DefaultPolicyId, Labels(x.Meta), x.Meta?.Revision);
        t.WriteTo(w);
    }

    public static void Networks(IEnumerable<Network> items, TextWriter w)
    {
        var t = new Table("ID", "NAME", "TENANT", "SUBNETS", "MTU", "REVISION");
        foreach (var x in items)
            t.Row(x.Meta?.Id, x.Meta?.Name, x.TenantId, string.Join(",", x.Subnets.Select(s => s.Cidr)), x.Mtu == 0 ? null : x.Mtu, x.Meta?.Revision);
        t.WriteTo(w);
    }

    public static void KeyPairs(IEnumerable<KeyPair> items, TextWriter w)
    {
        var t = new Table("ID", "NAME", "TENANT", "TYPE", "FINGERPRINT", "REVISION");
        foreach (var x in items) t.Row(x.Meta?.Id, x.Meta?.Name, x.TenantId, x.KeyType, x.Fingerprint, x.Meta?.Revision);
        t.WriteTo(w);
    }

    public static void Allocations(IEnumerable<Allocation> items, TextWriter w)
    {
        var t = new Table("ADDRESS", "SUBNET", "PORT");
        foreach (var x in items) t.Row(x.Address, x.SubnetCidr, x.PortId);
        t.WriteTo(w);
    }

    public static void Policies(IEnumerable<Policy> items, TextWriter w)
    {
        var t = new Table("ID", "NAME", "TENANT", "RULES", "DESCRIPTION", "REVISION");
        foreach (var x in items) t.Row(x.Meta?.Id, x.Meta?.Name, x.TenantId, x.Rules.Count, x.Description, x.Meta?.Revision);
        t.WriteTo(w);
    }

    /// <summary>One policy: its row, then its rules (what an operator wants to see after "policy get").</summary>
    public static void Policy(Policy p, TextWriter w)
    {
        Policies([p], w);
        if (p.Rules.Count == 0) { w.WriteLine(); w.WriteLine("no rules: this policy allows nothing"); return; }
        w.WriteLine();
        var t = new Table("RULE", "DIRECTION", "PROTOCOL", "IP", "PORTS", "REMOTE", "DESCRIPTION");
        foreach (var r in p.Rules) t.Row(r.Id, Enums.Show(r.Direction), Enums.Show(r.Protocol), IpVersion(r.IpVersion), Ports(r), Remote(r), r.Description);
        t.WriteTo(w);
    }

    public static void Ports(IEnumerable<Port> items, TextWriter w)
    {
        var t = new Table("ID", "NAME", "NETWORK", "MAC", "ADDRESSES", "INSTANCE", "STATUS");
        foreach (var x in items)
            t.Row(x.Meta?.Id, x.Meta?.Name, x.NetworkId, x.MacAddress, string.Join(",", x.FixedIps.Select(f => f.Address)), x.InstanceId, Enums.Show(x.Status));
        t.WriteTo(w);
    }

    public static void Instances(IEnumerable<Instance> items, TextWriter w)
    {
        var t = new Table("ID", "NAME", "TENANT", "STATE", "VCPUS", "CPU-MHZ", "MEMORY", "HOST", "REASON");
        foreach (var x in items)
            t.Row(x.Meta?.Id, x.Meta?.Name, x.TenantId, Enums.Show(x.State), x.Vcpus, x.CpuMhz, Sizes.Bytes(x.MemoryMib * 1024 * 1024), x.HostId, x.StateReason);
        t.WriteTo(w);
    }

    public static void Volumes(IEnumerable<Volume> items, TextWriter w)
    {
        var t = new Table("ID", "NAME", "TENANT", "SIZE", "STATE", "HOST", "ATTACHED-TO", "SOURCE");
        foreach (var x in items)
            t.Row(x.Meta?.Id, x.Meta?.Name, x.TenantId, Sizes.Bytes(x.SizeBytes), Enums.Show(x.State), x.HostId, x.AttachedInstanceId,
                x.SourceImageId is { Length: > 0 } img ? img : x.SourceSnapshotId);
        t.WriteTo(w);
    }

    public static void Snapshots(IEnumerable<Snapshot> items, TextWriter w)
    {
        var t = new Table("ID", "NAME", "VOLUME", "SIZE", "STATE", "QUIESCED", "GROUP");
        foreach (var x in items)
            t.Row(x.Meta?.Id, x.Meta?.Name, x.VolumeId, Sizes.Bytes(x.SizeBytes), Enums.Show(x.State), x.Quiesced ? "yes" : "no", x.GroupId);
        t.WriteTo(w);
    }

    public static void Images(IEnumerable<Image> items, TextWriter w)
    {
        var t = new Table("ID", "NAME", "TENANT", "FORMAT", "SIZE", "VIRTUAL-SIZE", "STATE", "SHA256");
        foreach (var x in items)
            t.Row(x.Meta?.Id, x.Meta?.Name, string.IsNullOrEmpty(x.TenantId) ? "(public)" : x.TenantId, Enums.Show(x.Format),
                Sizes.Bytes(x.SizeBytes), Sizes.Bytes(x.VirtualSizeBytes), Enums.Show(x.State), x.Sha256.Length > 12 ? x.Sha256[..12] : x.Sha256);
        t.WriteTo(w);
    }

    public static void Hosts(IEnumerable<Host> items, TextWriter w)
    {
        var t = new Table("ID", "NAME", "STATE", "CORDONED", "CORES", "CPU-MHZ", "MEMORY", "ALLOC-MHZ", "ALLOC-MEMORY", "INSTANCES");
        foreach (var x in items)
        {
            var inv = x.Inventory ?? new HostInventory();
            var a = x.Allocated ?? new HostAllocation();
            t.Row(x.Meta?.Id, x.Meta?.Name, Enums.Show(x.State), x.Cordoned ? "yes" : "no", inv.Cores, (ulong)inv.Cores * inv.MhzPerCore,
                Sizes.Bytes(inv.MemoryMib * 1024 * 1024), a.CpuMhz, Sizes.Bytes(a.MemoryMib * 1024 * 1024), a.Instances);
        }
        t.WriteTo(w);
    }

    public static void Drain(DrainHostResponse r, TextWriter w, bool dryRun)
    {
        if (r.Moves.Count == 0) w.WriteLine(dryRun ? "nothing would move" : "nothing moved");
        else
        {
            var t = new Table("INSTANCE", dryRun ? "WOULD-MOVE-TO" : "MOVED-TO");
            foreach (var m in r.Moves) t.Row(m.InstanceId, m.TargetHostId);
            t.WriteTo(w);
        }
        if (r.Blockers.Count == 0) return;
        w.WriteLine();
        var b = new Table("BLOCKED-INSTANCE", "REASON");
        foreach (var x in r.Blockers) b.Row(x.InstanceId, x.Reason);
        b.WriteTo(w);
    }

    public static void InstanceSnapshot(SnapshotInstanceResponse r, TextWriter w)
    {
        Snapshots(r.Snapshots, w);
        w.WriteLine();
        w.WriteLine(r.Quiesced ? $"application-consistent: guest filesystems were frozen for {r.FreezeWindowUs}us" : "crash-consistent: the guest was not quiesced");
    }

    public static void Deleted(string kind, string id, long revision, TextWriter w) => w.WriteLine($"deleted {kind} {id} (revision {revision})");

    static string Labels(ObjectMeta? m) => m is null ? "" : string.Join(",", m.Labels.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"));

    static string IpVersion(IpVersion v) => v switch { V1.IpVersion._4 => "v4", V1.IpVersion._6 => "v6", _ => "any" };

    static string Ports(Rule r) => r.Protocol is Protocol.Tcp or Protocol.Udp
        ? r.PortMin == 0 && r.PortMax == 0 ? "all" : r.PortMin == r.PortMax ? $"{r.PortMin}" : $"{r.PortMin}-{r.PortMax}"
        : "";

    static string Remote(Rule r) => r.RemoteCase switch
    {
        Rule.RemoteOneofCase.RemoteCidr => r.RemoteCidr,
        Rule.RemoteOneofCase.RemotePolicyId => "policy:" + r.RemotePolicyId,
        _ => "any",
    };
}
