using Infra.Controller.Domain.Commands;
using Infra.Controller.Domain.Errors;
using Infra.Controller.Domain.Model;
using Infra.V1;

namespace Infra.Controller.Domain.Validation;

/// <summary>Parses the KeyPairs service's requests; the public key is checked down to its wire format.</summary>
public static class KeyPairValidation
{
    public static ValidationResult<CreateKeyPair> Validate(CreateKeyPairRequest r)
    {
        var v = new Violations();
        var requestId = v.RequestId("request_id", r.RequestId);
        var tenant = v.Id("tenant_id", r.TenantId, IdKind.Tenant);
        var name = v.Name("name", r.Name);
        var (key, error) = SshPublicKey.Parse(r.PublicKey);
        v.Check("public_key", error);
        var labels = v.Labels("labels", r.Labels);
        return v.Finish(() => new CreateKeyPair(requestId, tenant!, name, key!, labels));
    }

    public static ValidationResult<GetKeyPair> Validate(GetKeyPairRequest r)
    {
        var v = new Violations();
        var id = v.Id("id", r.Id, IdKind.KeyPair);
        return v.Finish(() => new GetKeyPair(id!));
    }

    public static ValidationResult<ListKeyPairs> Validate(ListKeyPairsRequest r)
    {
        var v = new Violations();
        var tenant = v.Id("tenant_id", r.TenantId, IdKind.Tenant, required: false);
        var page = v.Page("page", r.Page);
        return v.Finish(() => new ListKeyPairs(tenant, page));
    }

    public static ValidationResult<DeleteKeyPair> Validate(DeleteKeyPairRequest r)
    {
        var v = new Violations();
        var id = v.Id("id", r.Id, IdKind.KeyPair);
        return v.Finish(() => new DeleteKeyPair(id!));
    }
}
