using Grpc.Core;
using Google.Protobuf;
using Infra.Controller.Domain.Auth;
using Infra.Controller.Domain.Errors;
using Infra.Controller.Model.Store;

namespace Infra.Controller.Api.Plumbing;

/// <summary>
/// Which objects a call may see and change: everything for an admin, for a tenant principal its own
/// tenant's objects plus the objects that belong to no tenant (public images; hosts too, but their RPCs
/// are admin-only by rule). The one place tenant confinement is decided, so that every service gives
/// the same answers:
/// <list type="bullet">
/// <item>a foreign object is NOT_FOUND, word for word what a missing id answers, so ids of other
///   tenants cannot be probed (<see cref="Check{T}"/>, used by <c>RequireAsync</c> and paging);</item>
/// <item>naming another tenant (create, list or watch with its tenant_id) is NOT_FOUND for that tenant,
///   as if it did not exist; an empty tenant_id is the caller's own (<see cref="Tenant"/>): creates
///   are forced into the caller's tenant;</item>
/// <item>a tenant changing an object of no tenant (a public image) is PERMISSION_DENIED: operators manage them.</item>
/// </list>
/// Store reads that take a scope have no unscoped overload: lookups that are not the caller's
/// (a host's capacity, an index key) pass <see cref="Unrestricted"/> on purpose.
/// </summary>
public sealed class TenantScope
{
    /// <summary>An admin's scope, and the one internal lookups use.</summary>
    public static readonly TenantScope Unrestricted = new(null, "admin");

    TenantScope(string? tenantId, string principal) { TenantId = tenantId; Principal = principal; }

    /// <summary>The tenant the call is confined to; null: not confined.</summary>
    public string? TenantId { get; }

    string Principal { get; }

    /// <summary>The scope of the call's principal. Host and replica principals never reach the tenant API
    /// (their rules refuse it); should one get here, it is refused rather than left unconfined.</summary>
    public static TenantScope Of(ServerCallContext context)
    {
        var p = CallPrincipal.Of(context);
        return p.Kind switch
        {
            PrincipalKind.Admin => Unrestricted,
            PrincipalKind.Tenant => new TenantScope(p.Id, p.ToString()),
            _ => throw ApiErrors.Of(new PermissionDenied("TENANT_API", p.ToString(), context.Method, "it is part of the tenant API; call it with an admin or tenant credential")),
        };
    }

    /// <summary>Whether an object owned by <paramref name="owner"/> ("" for none) is visible.</summary>
    public bool Sees(string owner) => TenantId is null || owner == TenantId || owner.Length == 0;

    public bool Sees<T>(ObjectKind<T> kind, T value) where T : IMessage<T> => Sees(kind.Tenant(value));

    /// <summary>The stored object if visible, else NOT_FOUND exactly as for a missing id.</summary>
    public Stored<T> Check<T>(ObjectKind<T> kind, Stored<T> stored, string id) where T : IMessage<T> =>
        Sees(kind, stored.Value) ? stored : throw ApiErrors.NotFound(kind.Noun, id);

    /// <summary>As <see cref="Check{T}"/>, and a tenant may not change an object of no tenant.</summary>
    public Stored<T> CheckChange<T>(ObjectKind<T> kind, Stored<T> stored, string id) where T : IMessage<T>
    {
        Check(kind, stored, id);
        if (TenantId is not null && kind.Tenant(stored.Value).Length == 0)
            throw ApiErrors.Of(new PermissionDenied("OPERATOR_OBJECT", Principal, $"change {kind.Noun} {id}",
                $"{kind.Noun} {id} belongs to no tenant (public); only operators change it"));
        return stored;
    }

    /// <summary>
    /// The tenant a create, list or watch is about. Admin: what the request said (null: all). Tenant:
    /// its own, whether the request said so or left it empty; another tenant's id is NOT_FOUND.
    /// </summary>
    public string? Tenant(string? requested)
    {
        if (TenantId is null) return string.IsNullOrEmpty(requested) ? null : requested;
        if (string.IsNullOrEmpty(requested) || requested == TenantId) return TenantId;
        throw ApiErrors.NotFound("Tenant", requested);
    }

    /// <summary>For a create request's tenant_id field: the caller's tenant forced in (admins keep theirs, "" stays "").</summary>
    public string ForCreate(string requested) => Tenant(requested) ?? "";
}
