namespace Infra.Controller.Southbound;

/// <summary>
/// The store layout shared by the northbound API and the southbound side. Every API object is a
/// protobuf-serialized Infra.V1 message under <c>/infra/v1/&lt;kind&gt;/&lt;id&gt;</c>, e.g.
/// <c>/infra/v1/instances/ins-abc</c>; one Range over <see cref="Root"/> is a consistent snapshot of
/// the whole cluster at one revision. Placement is recorded on the objects themselves
/// (Instance.host_id, Port.host_id/instance_id, Volume.host_id for local volumes).
/// Southbound bookkeeping that is not an API object lives under <see cref="SouthboundRoot"/>.
/// </summary>
public static class StoreKeys
{
    public const string Root = "/infra/v1/";

    public const string Tenants = "tenants";
    public const string Networks = "networks";
    public const string Policies = "policies";
    public const string Ports = "ports";
    public const string Instances = "instances";
    public const string Volumes = "volumes";
    public const string Snapshots = "snapshots";
    public const string Images = "images";
    public const string Hosts = "hosts";

    /// <summary>Not an API kind: "/infra/v1/reboots/&lt;instance&gt;" holds the instance's reboot generation
    /// (decimal text) that the API bumps on RebootInstance; VmSpec.reboot_generation carries it.</summary>
    public const string Reboots = "reboots";

    /// <summary>Key pairs: read by the config drive composer, not a change-feed kind (a key pair is
    /// immutable and cannot be deleted while an instance uses it).</summary>
    public const string KeyPairs = "keypairs";

    /// <summary>Not an API kind: "/infra/v1/user-data/&lt;instance&gt;" holds the instance's user-data
    /// bytes (written once, with the instance).</summary>
    public const string UserData = "user-data";

    /// <summary>Placement claims (ClaimStore's JSON per host), shared by the API and the evacuator.</summary>
    public const string ClaimsRoot = Root + "claims/";

    public static readonly IReadOnlyList<string> Kinds = [Tenants, Networks, Policies, Ports, Instances, Volumes, Snapshots, Images, Hosts];

    /// <summary>"/infra/v1/&lt;kind&gt;/".</summary>
    public static string Prefix(string kind) => Root + kind + "/";

    /// <summary>"/infra/v1/&lt;kind&gt;/&lt;id&gt;".</summary>
    public static string Key(string kind, string id) => Root + kind + "/" + id;

    public static string Tenant(string id) => Key(Tenants, id);
    public static string Network(string id) => Key(Networks, id);
    public static string Policy(string id) => Key(Policies, id);
    public static string Port(string id) => Key(Ports, id);
    public static string Instance(string id) => Key(Instances, id);
    public static string Volume(string id) => Key(Volumes, id);
    public static string Snapshot(string id) => Key(Snapshots, id);
    public static string Image(string id) => Key(Images, id);
    public static string Host(string id) => Key(Hosts, id);
    public static string RebootGeneration(string instanceId) => Key(Reboots, instanceId);

    /// <summary>Splits "/infra/v1/kind/id" into (kind, id); false for any other key.</summary>
    public static bool TryParse(string key, out string kind, out string id)
    {
        kind = id = "";
        if (!key.StartsWith(Root, StringComparison.Ordinal)) return false;
        var rest = key.AsSpan(Root.Length);
        var slash = rest.IndexOf('/');
        if (slash <= 0 || slash == rest.Length - 1) return false;
        kind = rest[..slash].ToString();
        id = rest[(slash + 1)..].ToString();
        return true;
    }

    /// <summary>Southbound bookkeeping (not API objects).</summary>
    public const string SouthboundRoot = "/infra/southbound/";

    /// <summary>The last desired state sent to a host: a full Infra.V1.DesiredState (version + every resource).</summary>
    public static string LastDesired(string hostId) => SouthboundRoot + "desired/" + hostId;

    /// <summary>The last error an agent reported for a host's desired state (a Nack), as UTF-8 text.</summary>
    public static string LastNack(string hostId) => SouthboundRoot + "nack/" + hostId;

    /// <summary>Tombstones of deleted volumes whose files a host must still remove: "/infra/southbound/purge/".</summary>
    public const string PurgeRoot = SouthboundRoot + "purge/";

    /// <summary>"/infra/southbound/purge/&lt;host&gt;/": every tombstone of one host.</summary>
    public static string PurgePrefix(string hostId) => PurgeRoot + hostId + "/";

    /// <summary>A deleted volume the host must purge: its last VolumeSpec with purge set, until the agent reports it purged.</summary>
    public static string Purge(string hostId, string volumeId) => PurgePrefix(hostId) + volumeId;

    /// <summary>Splits "/infra/southbound/purge/host/volume" into (host, volume); false for any other key.</summary>
    public static bool TryParsePurge(string key, out string hostId, out string volumeId)
    {
        hostId = volumeId = "";
        if (!key.StartsWith(PurgeRoot, StringComparison.Ordinal)) return false;
        var rest = key.AsSpan(PurgeRoot.Length);
        var slash = rest.IndexOf('/');
        if (slash <= 0 || slash == rest.Length - 1 || rest[(slash + 1)..].Contains('/')) return false;
        hostId = rest[..slash].ToString();
        volumeId = rest[(slash + 1)..].ToString();
        return true;
    }

    /// <summary>The failure detector's election prefix.</summary>
    public const string DetectorElection = SouthboundRoot + "election/failure-detector";
}
