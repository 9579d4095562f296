namespace Infra.Controller.Domain.Auth;

/// <summary>Who a principal is: the four kinds of caller the controller knows.</summary>
public enum PrincipalKind { Admin, Tenant, Host, Replica }

/// <summary>What a tenant principal may do inside its tenant: members change it, readers only look.</summary>
public enum TenantRole { Member, Reader }

/// <summary>
/// The one caller behind a call. Every call is made by exactly one principal, resolved once by the
/// authentication step before any service code runs: <c>admin</c> (operators, by the bootstrap
/// token or an admin credential), <c>tenant:&lt;id&gt;</c> with a role (by a tenant credential),
/// <c>host:&lt;id&gt;</c> (an agent, by its client certificate) and <c>replica:&lt;id&gt;</c>
/// (another controller, by its client certificate). <see cref="Credential"/> names what proved it
/// (a credential id, "bootstrap", a certificate serial) so audit records can say which secret acted.
/// </summary>
public sealed record Principal(PrincipalKind Kind, string Id, TenantRole Role, string Credential)
{
    public static Principal Admin(string credential) => new(PrincipalKind.Admin, "", TenantRole.Member, credential);
    public static Principal Tenant(string tenantId, TenantRole role, string credential) => new(PrincipalKind.Tenant, tenantId, role, credential);
    public static Principal Host(string hostId, string credential) => new(PrincipalKind.Host, hostId, TenantRole.Member, credential);
    public static Principal Replica(string replicaId, string credential) => new(PrincipalKind.Replica, replicaId, TenantRole.Member, credential);

    public bool IsAdmin => Kind == PrincipalKind.Admin;

    /// <summary>The tenant this principal is confined to, or null when it is not a tenant principal.</summary>
    public string? TenantScope => Kind == PrincipalKind.Tenant ? Id : null;

    /// <summary>"admin", "tenant:ten-1 (reader)", "host:h1", "replica:c2": how logs, errors and audit name it.</summary>
    public override string ToString() => Kind switch
    {
        PrincipalKind.Admin => "admin",
        PrincipalKind.Tenant => $"tenant:{Id}" + (Role == TenantRole.Reader ? " (reader)" : ""),
        PrincipalKind.Host => $"host:{Id}",
        _ => $"replica:{Id}",
    };
}
