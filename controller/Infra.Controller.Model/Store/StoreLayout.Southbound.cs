namespace Infra.Controller.Model.Store;

// Southbound bookkeeping: what the controller remembers per host that is not an API object.
public static partial class StoreLayout
{
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

    /// <summary>Tombstones of deleted (or moved-away) instances whose VM a host must remove: "/infra/southbound/vm-tombstones/".</summary>
    public const string VmTombstoneRoot = SouthboundRoot + "vm-tombstones/";

    /// <summary>"/infra/southbound/vm-tombstones/&lt;host&gt;/": every VM tombstone of one host.</summary>
    public static string VmTombstonePrefix(string hostId) => VmTombstoneRoot + hostId + "/";

    /// <summary>An instance whose VM the host must power off and remove, until its agent reports it deleted; the value is when (UTC, ISO 8601).</summary>
    public static string VmTombstone(string hostId, string instanceId) => VmTombstonePrefix(hostId) + instanceId;

    /// <summary>Splits "/infra/southbound/vm-tombstones/host/instance" into (host, instance); false for any other key.</summary>
    public static bool TryParseVmTombstone(string key, out string hostId, out string instanceId)
    {
        hostId = instanceId = "";
        if (!key.StartsWith(VmTombstoneRoot, StringComparison.Ordinal)) return false;
        var rest = key.AsSpan(VmTombstoneRoot.Length);
        var slash = rest.IndexOf('/');
        if (slash <= 0 || slash == rest.Length - 1 || rest[(slash + 1)..].Contains('/')) return false;
        hostId = rest[..slash].ToString();
        instanceId = rest[(slash + 1)..].ToString();
        return true;
    }

    /// <summary>Which replica holds a host's agent session (the command router's directory).</summary>
    public static string SessionOwner(string hostId) => SouthboundRoot + "sessions/" + hostId;

    /// <summary>The failure detector's election prefix.</summary>
    public const string DetectorElection = SouthboundRoot + "election/failure-detector";
}
