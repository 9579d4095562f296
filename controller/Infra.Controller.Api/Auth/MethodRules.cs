using Infra.Controller.Domain.Auth;
using static Infra.Controller.Domain.Auth.AccessRule;

namespace Infra.Controller.Api.Auth;

/// <summary>
/// The authorization rule of every RPC the controller serves, by its full name as
/// ServerCallContext.Method gives it. A method missing here is refused (NO_RULE): a new RPC fails closed,
/// and MethodRulesTests (Api.Tests, from the generated descriptors; Conventions.Tests, from the .proto
/// files) fail until it has a line. What a rule means is <see cref="Access.Decide"/>; which objects a
/// tenant then sees is the services' <c>TenantScope</c>.
/// </summary>
public static class MethodRules
{
    static readonly Dictionary<string, AccessRule> Rules = new(StringComparer.Ordinal)
    {
        // Tenants are the operators' to manage; a tenant principal may read only its own.
        ["/infra.v1.Tenants/CreateTenant"] = AdminOnly,
        ["/infra.v1.Tenants/GetTenant"] = TenantRead,
        ["/infra.v1.Tenants/ListTenants"] = TenantRead,
        ["/infra.v1.Tenants/UpdateTenant"] = AdminOnly,
        ["/infra.v1.Tenants/DeleteTenant"] = AdminOnly,

        ["/infra.v1.Networks/CreateNetwork"] = TenantWrite,
        ["/infra.v1.Networks/GetNetwork"] = TenantRead,
        ["/infra.v1.Networks/ListNetworks"] = TenantRead,
        ["/infra.v1.Networks/UpdateNetwork"] = TenantWrite,
        ["/infra.v1.Networks/DeleteNetwork"] = TenantWrite,
        ["/infra.v1.Networks/ListAllocations"] = TenantRead,

        ["/infra.v1.Policies/CreatePolicy"] = TenantWrite,
        ["/infra.v1.Policies/GetPolicy"] = TenantRead,
        ["/infra.v1.Policies/ListPolicies"] = TenantRead,
        ["/infra.v1.Policies/UpdatePolicy"] = TenantWrite,
        ["/infra.v1.Policies/DeletePolicy"] = TenantWrite,

        ["/infra.v1.Ports/CreatePort"] = TenantWrite,
        ["/infra.v1.Ports/GetPort"] = TenantRead,
        ["/infra.v1.Ports/ListPorts"] = TenantRead,
        ["/infra.v1.Ports/UpdatePort"] = TenantWrite,
        ["/infra.v1.Ports/DeletePort"] = TenantWrite,

        ["/infra.v1.Instances/CreateInstance"] = TenantWrite,
        ["/infra.v1.Instances/GetInstance"] = TenantRead,
        ["/infra.v1.Instances/ListInstances"] = TenantRead,
        ["/infra.v1.Instances/StartInstance"] = TenantWrite,
        ["/infra.v1.Instances/StopInstance"] = TenantWrite,
        ["/infra.v1.Instances/RebootInstance"] = TenantWrite,
        ["/infra.v1.Instances/PauseInstance"] = TenantWrite,
        ["/infra.v1.Instances/ResumeInstance"] = TenantWrite,
        ["/infra.v1.Instances/ResizeInstance"] = TenantWrite,
        ["/infra.v1.Instances/AttachVolume"] = TenantWrite,
        ["/infra.v1.Instances/DetachVolume"] = TenantWrite,
        ["/infra.v1.Instances/SnapshotInstance"] = TenantWrite,
        ["/infra.v1.Instances/DeleteInstance"] = TenantWrite,
        // One RPC for watching and typing: keystrokes change the guest, so readers stay out.
        ["/infra.v1.Instances/Console"] = TenantWrite,
        ["/infra.v1.Instances/GetConsoleLog"] = TenantRead,

        // Tenants may use the NBD backend only as operators define it (VolumesService refuses a tenant's own URI).
        ["/infra.v1.Volumes/CreateVolume"] = TenantWrite,
        ["/infra.v1.Volumes/GetVolume"] = TenantRead,
        ["/infra.v1.Volumes/ListVolumes"] = TenantRead,
        ["/infra.v1.Volumes/ResizeVolume"] = TenantWrite,
        ["/infra.v1.Volumes/DeleteVolume"] = TenantWrite,
        ["/infra.v1.Volumes/CreateSnapshot"] = TenantWrite,
        ["/infra.v1.Volumes/GetSnapshot"] = TenantRead,
        ["/infra.v1.Volumes/ListSnapshots"] = TenantRead,
        ["/infra.v1.Volumes/DeleteSnapshot"] = TenantWrite,
        // Reads the bytes, changes nothing the tenant owns.
        ["/infra.v1.Volumes/ExportVolume"] = TenantRead,

        // A tenant imports and deletes its own images; public ones (no tenant) are the operators' (TenantScope).
        ["/infra.v1.Images/ImportImage"] = TenantWrite,
        ["/infra.v1.Images/GetImage"] = TenantRead,
        ["/infra.v1.Images/ListImages"] = TenantRead,
        ["/infra.v1.Images/DeleteImage"] = TenantWrite,

        ["/infra.v1.KeyPairs/CreateKeyPair"] = TenantWrite,
        ["/infra.v1.KeyPairs/GetKeyPair"] = TenantRead,
        ["/infra.v1.KeyPairs/ListKeyPairs"] = TenantRead,
        ["/infra.v1.KeyPairs/DeleteKeyPair"] = TenantWrite,

        // Hosts are infrastructure: their inventory and placement are not a tenant's business.
        ["/infra.v1.Hosts/ListHosts"] = AdminOnly,
        ["/infra.v1.Hosts/GetHost"] = AdminOnly,
        ["/infra.v1.Hosts/CordonHost"] = AdminOnly,
        ["/infra.v1.Hosts/DrainHost"] = AdminOnly,
        ["/infra.v1.Hosts/UncordonHost"] = AdminOnly,
        ["/infra.v1.Hosts/UpdateHost"] = AdminOnly,

        // Hosts enroll with a join token (Enroll checks it: no other credential exists yet) and renew
        // with their certificate; tokens and revocation are the operators'.
        ["/infra.v1.Enrollment/CreateJoinToken"] = AdminOnly,
        ["/infra.v1.Enrollment/ListJoinTokens"] = AdminOnly,
        ["/infra.v1.Enrollment/RevokeJoinToken"] = AdminOnly,
        ["/infra.v1.Enrollment/Enroll"] = Open,
        ["/infra.v1.Enrollment/Renew"] = HostOnly,
        ["/infra.v1.Enrollment/RevokeHost"] = AdminOnly,

        // The trail says what every principal did: operators only.
        ["/infra.v1.Audit/ListAuditRecords"] = AdminOnly,

        // Credentials mint principals, admin ones included: operators only.
        ["/infra.v1.Credentials/CreateCredential"] = AdminOnly,
        ["/infra.v1.Credentials/ListCredentials"] = AdminOnly,
        ["/infra.v1.Credentials/RevokeCredential"] = AdminOnly,

        // A tenant's watch carries only its objects and public images (ChangesService).
        ["/infra.v1.Changes/Watch"] = TenantRead,

        ["/infra.v1.AgentSession/Connect"] = HostOnly,
        ["/infra.v1.CommandRelay/Run"] = ReplicaOnly,

        ["/grpc.health.v1.Health/Check"] = Open,
        ["/grpc.health.v1.Health/Watch"] = Open,
        ["/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"] = Open,
        ["/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"] = Open,
    };

    /// <summary>Every method with a rule, for the tests that compare it with the contract.</summary>
    public static IReadOnlyDictionary<string, AccessRule> All => Rules;

    /// <param name="method">"/infra.v1.Instances/CreateInstance".</param>
    public static AccessRule? Find(string method) => Rules.TryGetValue(method, out var r) ? r : null;
}
