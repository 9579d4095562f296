namespace Infra.Controller.Model.Store;

// Enrollment: the cluster CA, join tokens and revoked hosts. None of it is under Root: the cluster
// snapshot, the southbound change feed and Watch range or watch Root, and must never carry a CA key
// or a token hash.
public static partial class StoreLayout
{
    /// <summary>"/infra/pki/": the cluster's certificate authority.</summary>
    public const string PkiRoot = "/infra/pki/";

    /// <summary>The cluster CA (JSON: cert_pem, key_pem), created once by the first replica that needs it.</summary>
    public const string ClusterCa = PkiRoot + "ca";

    /// <summary>"/infra/enrollment/tokens/": join tokens (protobuf Infra.V1.StoredJoinToken) by id.</summary>
    public const string JoinTokenRoot = "/infra/enrollment/tokens/";

    public static string JoinToken(string id) => JoinTokenRoot + id;

    /// <summary>"/infra/enrollment/revoked/": revoked hosts (value: the revocation time, RFC 3339).</summary>
    public const string RevokedHostRoot = "/infra/enrollment/revoked/";

    public static string RevokedHost(string hostId) => RevokedHostRoot + hostId;
}
