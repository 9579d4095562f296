using Infra.Controller.Api.Plumbing;
using Infra.Controller.Model.Store;
using Infra.Controller.Domain.Model;
using Infra.Controller.Domain.Validation;
using Grpc.Core;
using Infra.Store;
using Infra.V1;

namespace Infra.Controller.Api.Services;

/// <summary>
/// A tenant's SSH public keys. Instances name them in ssh_key_ids and the config drive carries their
/// public keys; a key pair in use cannot be deleted (its refs prefix must be empty), so a drive
/// rebuilt later never loses a key its guest was given.
/// </summary>
public sealed class KeyPairsService(ApiContext api) : KeyPairs.KeyPairsBase
{
    ObjectStore Store => api.Store;

    public override async Task<KeyPair> CreateKeyPair(CreateKeyPairRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var scope = TenantScope.Of(context);
        request.TenantId = scope.ForCreate(request.TenantId);
        var cmd = ApiErrors.Valid(KeyPairValidation.Validate(request));
        if (await Store.ReplayAsync(Kinds.KeyPair, cmd.TenantId, nameof(CreateKeyPair), cmd.RequestId, ct) is { } replay) return replay;
        var tenant = await Store.RequireAsync(Kinds.Tenant, cmd.TenantId, scope, ct);
        var key = new KeyPair
        {
            Meta = new ObjectMeta { Id = ResourceId.New(IdKind.KeyPair), Name = cmd.Name },
            TenantId = cmd.TenantId,
            PublicKey = cmd.PublicKey.Line,
            Fingerprint = cmd.PublicKey.Fingerprint,
            KeyType = cmd.PublicKey.Type,
        };
        key.Meta.Labels.Add(cmd.Labels.Items);
        var plan = new CreatePlan { Scope = cmd.TenantId, Method = nameof(CreateKeyPair), Name = cmd.Name, RequestId = cmd.RequestId };
        NetworksService.Owned(plan, tenant, key.Meta.Id, Kinds.KeyPair.Segment);
        return (await Store.CreateAsync(Kinds.KeyPair, key, plan, ct)).Value;
    }

    public override async Task<KeyPair> GetKeyPair(GetKeyPairRequest request, ServerCallContext context)
    {
        var cmd = ApiErrors.Valid(KeyPairValidation.Validate(request));
        return (await Store.RequireAsync(Kinds.KeyPair, cmd.Id, TenantScope.Of(context), context.CancellationToken)).Value;
    }

    public override async Task<ListKeyPairsResponse> ListKeyPairs(ListKeyPairsRequest request, ServerCallContext context)
    {
        var cmd = ApiErrors.Valid(KeyPairValidation.Validate(request));
        var scope = TenantScope.Of(context);
        var tenant = scope.Tenant(cmd.TenantId);
        var (items, page) = await Paging.ListAsync(Store, Kinds.KeyPair, cmd.Page, scope, k => tenant is null || k.TenantId == tenant, context.CancellationToken);
        var response = new ListKeyPairsResponse { Page = page };
        response.KeyPairs.AddRange(items);
        return response;
    }

    public override async Task<DeleteKeyPairResponse> DeleteKeyPair(DeleteKeyPairRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var cmd = ApiErrors.Valid(KeyPairValidation.Validate(request));
        var current = await Store.RequireToChangeAsync(Kinds.KeyPair, cmd.Id, TenantScope.Of(context), ct);
        var refs = StoreLayout.RefPrefix(Kinds.KeyPair.Segment, cmd.Id);
        var users = await Store.KeysUnderAsync(refs, ct);
        if (users.Count > 0)
            throw ApiErrors.Precondition("KEY_PAIR_IN_USE", cmd.Id, $"key pair {cmd.Id} is used by {users.Count} instance(s) (first: {users[0].Split('/')[^1]}); delete them first");
        var k = current.Value;
        var plan = new CreatePlanOps();
        plan.Compares.Add(new Compare(Keys.Of(refs), CompareTarget.CreateRevision, CompareResult.Equal, 0, RangeEnd: Keys.PrefixEnd(refs)));
        plan.Ops.Add(ObjectStore.Delete(StoreLayout.Name(Kinds.KeyPair.Segment, k.TenantId, k.Meta.Name)));
        plan.Ops.Add(ObjectStore.Delete(StoreLayout.Owned(k.TenantId, Kinds.KeyPair.Segment, k.Meta.Id)));
        var revision = await Store.TryDeleteAsync(Kinds.KeyPair, current, plan, ct) ?? throw ApiErrors.Contended($"deleting key pair {cmd.Id}");
        return new DeleteKeyPairResponse { Revision = revision };
    }
}
