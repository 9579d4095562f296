namespace Infra.Controller.Model.Store;

/// <summary>
/// Every key the controller keeps, in one place for the API and the southbound side. Every API object
/// is a protobuf-serialized Infra.V1 message under /infra/v1/&lt;kind&gt;/&lt;id&gt; (<see cref="Kinds"/>),
/// so one Range over <see cref="Root"/> is a consistent snapshot of the whole cluster at one revision;
/// placement is recorded on the objects themselves (Instance.host_id, Port.host_id/instance_id,
/// Volume.host_id for local volumes). The index keys below exist so that uniqueness and "still in use"
/// checks are single-key compares inside the same transaction as the object write, never
/// read-then-write races. Southbound bookkeeping that is not an API object is in StoreLayout.Southbound.cs.
/// </summary>
public static partial class StoreLayout
{
    public const string Root = "/infra/v1/";

    /// <summary>Scope of cluster-wide names and of requests made without a tenant.</summary>
    public const string ClusterScope = "_";

    /// <summary>Name uniqueness: value is the id holding the name.</summary>
    public static string Name(string kindSegment, string scope, string name) => $"{Root}names/{kindSegment}/{Scope(scope)}/{name}";

    /// <summary>Idempotency: request_id -> id of the object the first call created, per tenant and method.</summary>
    public static string Request(string scope, string method, string requestId) => $"{Root}requests/{Scope(scope)}/{method}/{requestId}";
    public static string RequestPrefix(string scope) => $"{Root}requests/{Scope(scope)}/";

    /// <summary>Tunnel keys in use: value is the tenant id. Deleted only with the tenant.</summary>
    public static string TunnelKey(uint key) => $"{Root}tunnel-keys/{key:x8}";

    /// <summary>What a tenant owns (besides its default policy); DeleteTenant needs this prefix empty.</summary>
    public static string Owned(string tenantId, string kindSegment, string id) => $"{Root}owned/{tenantId}/{kindSegment}/{id}";
    public static string OwnedPrefix(string tenantId) => $"{Root}owned/{tenantId}/";

    /// <summary>References to an object (ports on a network, ports and rules using a policy, snapshots of a volume).</summary>
    public static string Ref(string kindSegment, string id, string byKindSegment, string byId) => $"{Root}refs/{kindSegment}/{id}/{byKindSegment}/{byId}";
    public static string RefPrefix(string kindSegment, string id) => $"{Root}refs/{kindSegment}/{id}/";

    /// <summary>Objects an instance created and deletes with itself (inline ports, delete_on_termination boot volume).</summary>
    public static string InstanceOwned(string instanceId, string kindSegment, string id) => $"{Root}instance-owned/{instanceId}/{kindSegment}/{id}";
    public static string InstanceOwnedPrefix(string instanceId) => $"{Root}instance-owned/{instanceId}/";

    /// <summary>Reboot generation of an instance (the agent reboots when it grows).</summary>
    public static string RebootGeneration(string instanceId) => Root + Segments.Reboots + "/" + instanceId;

    /// <summary>An instance's user-data (raw bytes), apart from the instance so that reads, lists and
    /// watch events never carry it (it often holds secrets); the config drive composer reads it.</summary>
    public static string UserData(string instanceId) => Root + Segments.UserData + "/" + instanceId;

    /// <summary>IPAM and placement claims keep their own formats under these roots (ClaimStore's JSON per
    /// host, shared by the API and the evacuator).</summary>
    public const string IpamRoot = Root + "ipam/";
    public const string ClaimsRoot = Root + "claims/";

    /// <summary>
    /// "/infra/audit/": audit records (protobuf Infra.V1.AuditRecord) under "&lt;ticks D19&gt;-&lt;hex&gt;", so
    /// key order is time order and retention is one DeleteRange. Not under <see cref="Root"/>: the records
    /// grow with every call, and the cluster snapshot, the southbound change feed and Watch all range or
    /// watch Root, so they must never see them.
    /// </summary>
    public const string AuditRoot = "/infra/audit/";

    public static string AuditRecord(string id) => AuditRoot + id;

    /// <summary>The first key at or after <paramref name="time"/> (records are keyed by their UTC ticks).</summary>
    public static string AuditAt(DateTimeOffset time) => AuditRoot + AuditTicks(time);

    /// <summary>The time part of an audit id: UTC ticks, 19 digits, so string order is time order.</summary>
    public static string AuditTicks(DateTimeOffset time) => time.UtcTicks.ToString("D19", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// "/infra/credentials/&lt;id&gt;": API credentials (32-byte SHA-256 of the secret, then the protobuf
    /// Infra.V1.Credential). Not under <see cref="Root"/>: snapshots, the southbound change feed and Watch
    /// range or watch Root, and credential hashes must never travel with them (nor reach a tenant's watch).
    /// </summary>
    public const string CredentialRoot = "/infra/credentials/";

    public static string Credential(string id) => CredentialRoot + id;

    /// <summary>Splits "/infra/v1/kind/id" into (kind segment, id); false for any other key.</summary>
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

    static string Scope(string scope) => scope.Length == 0 ? ClusterScope : scope;
}
