using System.Security.Cryptography;
using Google.Protobuf;
using Infra.Controller.Api.Plumbing;
using Infra.Controller.Model.Store;
using Infra.Controller.Domain.Commands;
using Infra.Store;
using Infra.V1;

namespace Infra.Controller.Api.Services;

/// <summary>What the config drive carries, checked and written with the instance's create.</summary>
public sealed partial class InstancesService
{
    /// <summary>
    /// Key pairs must exist and be the instance's tenant's; each gets a reference key so that it cannot
    /// be deleted while the instance uses it (the compare makes a concurrent delete fail the create).
    /// User-data goes to its own key (see <see cref="StoreLayout.UserData"/>); the instance keeps its hash.
    /// </summary>
    async Task GuestConfigAsync(CreateInstance cmd, Instance instance, CreatePlan plan, TenantScope scope, CancellationToken ct)
    {
        for (var i = 0; i < cmd.Guest.SshKeyIds.Length; i++)
        {
            var keyId = cmd.Guest.SshKeyIds[i];
            var field = $"ssh_key_ids[{i}]";
            // Another tenant's key pair reads as missing to a tenant principal, as a foreign Get does.
            var key = await Store.GetAsync(Kinds.KeyPair, keyId, ct) is { } found && scope.Sees(Kinds.KeyPair, found.Value) ? found
                : throw ApiErrors.Invalid(field, $"key pair {keyId} does not exist; create it with CreateKeyPair (infractl keypair create) or list the tenant's with ListKeyPairs");
            if (key.Value.TenantId != cmd.TenantId)
                throw ApiErrors.Invalid(field, $"key pair {keyId} belongs to another tenant; use one of tenant {cmd.TenantId}'s key pairs");
            plan.Compares.Add(ObjectStore.Unchanged(Kinds.KeyPair, key));
            plan.Ops.Add(ObjectStore.PutString(StoreLayout.Ref(Kinds.KeyPair.Segment, keyId, Kinds.Instance.Segment, instance.Meta.Id), ""));
        }
        if (cmd.Guest.UserData.Length > 0)
        {
            instance.UserDataSha256 = Convert.ToHexStringLower(SHA256.HashData(cmd.Guest.UserData.Span));
            plan.Ops.Add(new PutRequest(Keys.Of(StoreLayout.UserData(instance.Meta.Id)), cmd.Guest.UserData.ToArray()));
        }
    }
}
