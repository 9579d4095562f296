using Infra.Controller.Domain.Errors;

namespace Infra.Controller.Domain.Auth;

/// <summary>Who may make a call, declared once per RPC (Infra.Controller.Api's <c>MethodRules</c>).</summary>
public enum AccessRule
{
    /// <summary>Anyone the authentication step let through, even without a principal: health and reflection.</summary>
    Open,
    /// <summary>Operators only: tenants, hosts, public images, backends, credentials, join tokens.</summary>
    AdminOnly,
    /// <summary>Admins and every tenant principal (members and readers); the service confines a tenant to its own objects.</summary>
    TenantRead,
    /// <summary>Admins and tenant members; readers are refused. The service confines a tenant to its own objects.</summary>
    TenantWrite,
    /// <summary>Host principals (agents). Admins too, for now: see <see cref="Access.AdminOnSouthbound"/>.</summary>
    HostOnly,
    /// <summary>Replica principals (controller to controller). Admins too, for now: see <see cref="Access.AdminOnSouthbound"/>.</summary>
    ReplicaOnly,
}

/// <summary>
/// The authorization decision, as a pure function of (principal, rule): null allows the call, else the
/// error the call ends with. It only says whether the principal may make this kind of call at all;
/// which objects a tenant may see or change is decided by the services (Api's <c>TenantScope</c>).
/// A method without a rule is refused (<c>NO_RULE</c>), so a new RPC fails closed until someone decides.
/// </summary>
public static class Access
{
    /// <summary>
    /// TODO(issue 11, mutual TLS): hosts can enroll and present client certificates (Infra.Controller.Api
    /// Enrollment/, the agent's controller.join_token_file; the Cloud e2e hosts on the underlay do), but
    /// replicas have none yet and the loopback harnesses (Api/Southbound tests, make cloud) still open
    /// sessions with the bootstrap admin token or --insecure-allow-no-auth, so admins still pass HostOnly
    /// and ReplicaOnly. Once every harness enrolls and replicas present certificates, set this to false: only host:&lt;id&gt; then opens AgentSession and only
    /// replica:&lt;id&gt; calls CommandRelay. Until then a tenant's agent command (snapshot, console,
    /// export) relayed to the replica holding the host's session is refused there (PERMISSION_DENIED),
    /// because the relay forwards the caller's own credentials.
    /// </summary>
    public const bool AdminOnSouthbound = true;

    /// <param name="principal">The call's principal; null when authentication set none.</param>
    /// <param name="rule">The method's rule; null when the method has none.</param>
    /// <param name="method">"/infra.v1.Instances/CreateInstance", for the message.</param>
    public static DomainError? Decide(Principal? principal, AccessRule? rule, string method)
    {
        if (rule is null)
            return new PermissionDenied("NO_RULE", principal?.ToString() ?? "anonymous", method,
                "the method has no authorization rule, so it is refused; declare one in Infra.Controller.Api Auth/MethodRules.cs");
        if (rule == AccessRule.Open) return null;
        if (principal is null)
            return new Unauthenticated(method, "the call carries no principal; send 'authorization: Bearer <token>'");
        var p = principal.ToString();
        return (rule.Value, principal.Kind) switch
        {
            (AccessRule.AdminOnly, PrincipalKind.Admin) => null,
            (AccessRule.AdminOnly, _) => new PermissionDenied("ADMIN_ONLY", p, method, "only operators (admin credentials) may call it"),
            (AccessRule.TenantRead or AccessRule.TenantWrite, PrincipalKind.Admin) => null,
            (AccessRule.TenantRead, PrincipalKind.Tenant) => null,
            (AccessRule.TenantWrite, PrincipalKind.Tenant) when principal.Role == TenantRole.Member => null,
            (AccessRule.TenantWrite, PrincipalKind.Tenant) => new PermissionDenied("READ_ONLY", p, method,
                "a reader credential may only read (Get, List, Watch); use a member credential of the tenant to change it"),
            (AccessRule.TenantRead or AccessRule.TenantWrite, _) => new PermissionDenied("TENANT_API", p, method,
                "it is part of the tenant API; call it with an admin or tenant credential"),
            (AccessRule.HostOnly, PrincipalKind.Host) => null,
            (AccessRule.HostOnly, PrincipalKind.Admin) when AdminOnSouthbound => null,
            (AccessRule.HostOnly, _) => new PermissionDenied("HOST_ONLY", p, method, "only a host's agent may open its session"),
            (AccessRule.ReplicaOnly, PrincipalKind.Replica) => null,
            (AccessRule.ReplicaOnly, PrincipalKind.Admin) when AdminOnSouthbound => null,
            (AccessRule.ReplicaOnly, _) => new PermissionDenied("REPLICA_ONLY", p, method, "only another controller replica may relay commands"),
            _ => new PermissionDenied("NO_RULE", p, method, $"rule {rule} is not known to this controller"),
        };
    }
}
