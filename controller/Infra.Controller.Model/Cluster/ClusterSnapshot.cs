using Google.Protobuf;
using Infra.Controller.Domain.Compute;
using Infra.Controller.Model.Store;
using Infra.Store;
using Infra.V1;

namespace Infra.Controller.Model.Cluster;

/// <summary>
/// Every API object at one store revision, by id. The desired-state builder is a pure function of
/// this, so a snapshot read in one Range is what makes every host's view consistent.
/// </summary>
public sealed record ClusterSnapshot(
    long Revision,
    IReadOnlyDictionary<string, Tenant> Tenants,
    IReadOnlyDictionary<string, Network> Networks,
    IReadOnlyDictionary<string, Policy> Policies,
    IReadOnlyDictionary<string, Port> Ports,
    IReadOnlyDictionary<string, Instance> Instances,
    IReadOnlyDictionary<string, Volume> Volumes,
    IReadOnlyDictionary<string, Host> Hosts)
{
    /// <summary>Reboot generation per instance id (from /infra/v1/reboots/&lt;id&gt;); absent = 0.</summary>
    public IReadOnlyDictionary<string, ulong> RebootGenerations { get; init; } = new Dictionary<string, ulong>();

    /// <summary>
    /// Tombstones of deleted volumes (<see cref="StoreLayout.Purge"/>): host id → volume id → the
    /// VolumeSpec (purge set) the host must carry out until its agent reports the volume purged.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, VolumeSpec>> Purges { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, VolumeSpec>>();

    /// <summary>
    /// VM tombstones (<see cref="StoreLayout.VmTombstone"/>): host id → the instances deleted from it
    /// (or moved away) whose VM its agent must remove, until it reports them deleted.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlySet<string>> VmTombstones { get; init; } =
        new Dictionary<string, IReadOnlySet<string>>();

    /// <summary>Key pairs by id (their public keys go on config drives).</summary>
    public IReadOnlyDictionary<string, KeyPair> KeyPairs { get; init; } = new Dictionary<string, KeyPair>();

    /// <summary>User-data per instance id (from /infra/v1/user-data/&lt;id&gt;); absent = none.</summary>
    public IReadOnlyDictionary<string, ByteString> UserData { get; init; } = new Dictionary<string, ByteString>();

    public static ClusterSnapshot Empty { get; } = From(0, []);

    /// <summary>
    /// Reads every object under <see cref="StoreLayout.Root"/> and the purge tombstones in one
    /// transaction, so both are at the same revision (a volume's removal and its tombstone commit together).
    /// </summary>
    public static async Task<ClusterSnapshot> LoadAsync(IKeyValueStore store, CancellationToken ct)
    {
        var r = await store.TxnAsync(new TxnRequest([], [RangeRequest.Prefix(StoreLayout.Root), RangeRequest.Prefix(StoreLayout.PurgeRoot), RangeRequest.Prefix(StoreLayout.VmTombstoneRoot)]), ct).ConfigureAwait(false);
        return From(r.Header.Revision, r.Responses.SelectMany(x => x.Range!.Kvs));
    }

    /// <summary>Decodes store rows; rows of unknown kinds are ignored, undecodable rows skipped.</summary>
    public static ClusterSnapshot From(long revision, IEnumerable<KeyValue> kvs)
    {
        var tenants = new Dictionary<string, Tenant>(StringComparer.Ordinal);
        var networks = new Dictionary<string, Network>(StringComparer.Ordinal);
        var policies = new Dictionary<string, Policy>(StringComparer.Ordinal);
        var ports = new Dictionary<string, Port>(StringComparer.Ordinal);
        var instances = new Dictionary<string, Instance>(StringComparer.Ordinal);
        var volumes = new Dictionary<string, Volume>(StringComparer.Ordinal);
        var hosts = new Dictionary<string, Host>(StringComparer.Ordinal);
        var reboots = new Dictionary<string, ulong>(StringComparer.Ordinal);
        var keyPairs = new Dictionary<string, KeyPair>(StringComparer.Ordinal);
        var userData = new Dictionary<string, ByteString>(StringComparer.Ordinal);
        var purges = new Dictionary<string, Dictionary<string, VolumeSpec>>(StringComparer.Ordinal);
        var vmTombstones = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var kv in kvs)
        {
            if (StoreLayout.TryParseVmTombstone(kv.KeyString, out var tombHost, out var tombInstance))
            {
                if (!vmTombstones.TryGetValue(tombHost, out var ofHost)) vmTombstones[tombHost] = ofHost = new(StringComparer.Ordinal);
                ofHost.Add(tombInstance);
                continue;
            }
            if (StoreLayout.TryParsePurge(kv.KeyString, out var purgeHost, out var purgeVolume))
            {
                try
                {
                    var spec = VolumeSpec.Parser.ParseFrom(kv.Value);
                    // The key names the volume; the value may be anything another writer put there.
                    spec.Id = purgeVolume;
                    spec.Purge = true;
                    if (!purges.TryGetValue(purgeHost, out var ofHost)) purges[purgeHost] = ofHost = new(StringComparer.Ordinal);
                    ofHost[purgeVolume] = spec;
                }
                catch (InvalidProtocolBufferException) { }
                continue;
            }
            if (!StoreLayout.TryParse(kv.KeyString, out var kind, out var id)) continue;
            try
            {
                switch (kind)
                {
                    case Segments.Tenants: tenants[id] = Tenant.Parser.ParseFrom(kv.Value); break;
                    case Segments.Networks: networks[id] = Network.Parser.ParseFrom(kv.Value); break;
                    case Segments.Policies: policies[id] = Policy.Parser.ParseFrom(kv.Value); break;
                    case Segments.Ports: ports[id] = Port.Parser.ParseFrom(kv.Value); break;
                    case Segments.Instances: instances[id] = Instance.Parser.ParseFrom(kv.Value); break;
                    case Segments.Volumes: volumes[id] = Volume.Parser.ParseFrom(kv.Value); break;
                    case Segments.Hosts: hosts[id] = Host.Parser.ParseFrom(kv.Value); break;
                    case Segments.KeyPairs: keyPairs[id] = KeyPair.Parser.ParseFrom(kv.Value); break;
                    case Segments.UserData: userData[id] = ByteString.CopyFrom(kv.Value); break;
                    case Segments.Reboots:
                        if (ulong.TryParse(kv.ValueString, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var g)) reboots[id] = g;
                        break;
                }
            }
            catch (InvalidProtocolBufferException)
            {
                // A row another writer got wrong must not take every host's desired state down with it.
            }
        }
        return new ClusterSnapshot(revision, tenants, networks, policies, ports, instances, volumes, hosts) 
        {
            RebootGenerations = reboots,
            KeyPairs = keyPairs,
            UserData = userData,
            Purges = purges.ToDictionary(p => p.Key, p => (IReadOnlyDictionary<string, VolumeSpec>)p.Value, StringComparer.Ordinal),
            VmTombstones = vmTombstones.ToDictionary(p => p.Key, p => (IReadOnlySet<string>)p.Value, StringComparer.Ordinal),
        };
    }

    /// <summary>
    /// VmSpec.cpu_quota_percent for an instance on its host (<see cref="CpuQuota"/>, the one formula);
    /// 0 when the host has no inventory yet, which the agent reads as "its threads only".
    /// </summary>
    public uint CpuQuotaPercent(Instance i) =>
        Hosts.TryGetValue(i.HostId, out var h) && h.Inventory is { MhzPerCore: > 0 } inv && i.Vcpus > 0 && i.CpuMhz > 0
            ? (uint)CpuQuota.Compute((int)i.Vcpus, (int)i.CpuMhz, (int)inv.MhzPerCore).Percent
            : 0;

    /// <summary>Where a port lives: its instance's host when it has one, else Port.host_id.</summary>
    public string PortHost(Port p) =>
        p.InstanceId.Length > 0 && Instances.TryGetValue(p.InstanceId, out var i) ? i.HostId : p.HostId;
}
