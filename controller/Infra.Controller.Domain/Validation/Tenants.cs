using Infra.Controller.Domain.Commands;
using Infra.Controller.Domain.Errors;
using Infra.Controller.Domain.Model;
using Infra.V1;

namespace Infra.Controller.Domain.Validation;

/// <summary>Parses the Tenants service's requests.</summary>
public static class TenantValidation
{
    public static ValidationResult<CreateTenant> Validate(CreateTenantRequest r)
    {
        var v = new Violations();
        var requestId = v.RequestId("request_id", r.RequestId);
        var name = v.Name("name", r.Name);
        var labels = v.Labels("labels", r.Labels);
        return v.Finish(() => new CreateTenant(requestId, name, labels));
    }

    public static ValidationResult<GetTenant> Validate(GetTenantRequest r)
    {
        var v = new Violations();
        var id = v.Id("id", r.Id, IdKind.Tenant);
        return v.Finish(() => new GetTenant(id!));
    }

    public static ValidationResult<ListTenants> Validate(ListTenantsRequest r)
    {
        var v = new Violations();
        var page = v.Page("page", r.Page);
        var selector = v.Labels("label_selector", r.LabelSelector);
        return v.Finish(() => new ListTenants(page, selector));
    }

    public static ValidationResult<UpdateTenant> Validate(UpdateTenantRequest r)
    {
        var v = new Violations();
        var id = v.Id("id", r.Id, IdKind.Tenant);
        var labels = v.Labels("labels", r.Labels);
        var revision = v.Revision("expected_revision", r.ExpectedRevision);
        return v.Finish(() => new UpdateTenant(id!, labels, revision));
    }

    public static ValidationResult<DeleteTenant> Validate(DeleteTenantRequest r)
    {
        var v = new Violations();
        var id = v.Id("id", r.Id, IdKind.Tenant);
        return v.Finish(() => new DeleteTenant(id!));
    }
}
