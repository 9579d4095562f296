using Infra.Controller.Domain.Commands;
using Infra.Controller.Domain.Errors;
using Infra.Controller.Domain.Model;
using Infra.V1;

namespace Infra.Controller.Domain.Validation;

/// <summary>Parses the Policies service's requests.</summary>
public static class PolicyValidation
{
    public static ValidationResult<CreatePolicy> Validate(CreatePolicyRequest r)
    {
        var v = new Violations();
        var requestId = v.RequestId("request_id", r.RequestId);
        var tenant = v.Id("tenant_id", r.TenantId, IdKind.Tenant);
        var name = v.Name("name", r.Name);
        var description = v.Text("description", r.Description);
        var rules = RuleValidation.Rules(v, "rules", r.Rules, idsAllowed: false);
        var labels = v.Labels("labels", r.Labels);
        return v.Finish(() => new CreatePolicy(requestId, tenant!, name, description, [.. rules.Select(x => x!)], labels));
    }

    public static ValidationResult<UpdatePolicy> Validate(UpdatePolicyRequest r)
    {
        var v = new Violations();
        var id = v.Id("id", r.Id, IdKind.Policy);
        var rules = RuleValidation.Rules(v, "rules", r.Rules, idsAllowed: true);
        var description = v.Text("description", r.Description);
        if (!r.SetDescription && r.Description.Length > 0)
            v.Add("set_description", "a description was given but set_description is false; set it to true to replace the description");
        var revision = v.Revision("expected_revision", r.ExpectedRevision);
        return v.Finish(() => new UpdatePolicy(id!, [.. rules.Select(x => x!)], r.SetDescription ? description : null, revision));
    }

    public static ValidationResult<GetPolicy> Validate(GetPolicyRequest r)
    {
        var v = new Violations();
        var id = v.Id("id", r.Id, IdKind.Policy);
        return v.Finish(() => new GetPolicy(id!));
    }

    public static ValidationResult<ListPolicies> Validate(ListPoliciesRequest r)
    {
        var v = new Violations();
        var tenant = v.Id("tenant_id", r.TenantId, IdKind.Tenant, required: false);
        var page = v.Page("page", r.Page);
        return v.Finish(() => new ListPolicies(tenant, page));
    }

    public static ValidationResult<DeletePolicy> Validate(DeletePolicyRequest r)
    {
        var v = new Violations();
        var id = v.Id("id", r.Id, IdKind.Policy);
        return v.Finish(() => new DeletePolicy(id!));
    }
}
