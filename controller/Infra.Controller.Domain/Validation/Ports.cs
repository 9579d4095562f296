using Infra.Controller.Domain.Commands;
using Infra.Controller.Domain.Errors;
using Infra.Controller.Domain.Model;
using Infra.V1;

namespace Infra.Controller.Domain.Validation;

/// <summary>Parses the Ports service's requests (MAC rules: see <see cref="MacAddress"/>).</summary>
public static class PortValidation
{
    public static ValidationResult<CreatePort> Validate(CreatePortRequest r)
    {
        var v = new Violations();
        var requestId = v.RequestId("request_id", r.RequestId);
        var network = v.Id("network_id", r.NetworkId, IdKind.Network);
        var name = v.Name("name", r.Name, required: false);
        MacAddress? mac = null;
        if (r.MacAddress.Length > 0)
        {
            if (MacAddress.TryParse(r.MacAddress, out var parsed, out var error)) mac = parsed;
            else v.Add("mac_address", error);
        }
        var fixedIps = FixedIpValidation.FixedIps(v, "fixed_ips", r.FixedIps);
        var policies = FixedIpValidation.PolicyIds(v, "policy_ids", r.PolicyIds);
        var labels = v.Labels("labels", r.Labels);
        return v.Finish(() => new CreatePort(requestId, network!, name.Length == 0 ? null : name, mac, fixedIps, policies, labels));
    }

    public static ValidationResult<UpdatePort> Validate(UpdatePortRequest r)
    {
        var v = new Violations();
        var id = v.Id("id", r.Id, IdKind.Port);
        var policies = FixedIpValidation.PolicyIds(v, "policy_ids", r.PolicyIds);
        if (!r.SetPolicies && r.PolicyIds.Count > 0)
            v.Add("set_policies", "policy_ids were given but set_policies is false; set it to true to replace the policies");
        var labels = v.Labels("labels", r.Labels);
        if (!r.SetLabels && r.Labels.Count > 0)
            v.Add("set_labels", "labels were given but set_labels is false; set it to true to replace the labels");
        if (!r.SetLabels && !r.SetPolicies)
            v.Add("set_policies", "nothing to change: set set_policies and/or set_labels");
        var revision = v.Revision("expected_revision", r.ExpectedRevision);
        return v.Finish(() => new UpdatePort(id!, r.SetPolicies ? policies : null, r.SetLabels ? labels : null, revision));
    }

    public static ValidationResult<GetPort> Validate(GetPortRequest r)
    {
        var v = new Violations();
        var id = v.Id("id", r.Id, IdKind.Port);
        return v.Finish(() => new GetPort(id!));
    }

    public static ValidationResult<ListPorts> Validate(ListPortsRequest r)
    {
        var v = new Violations();
        var tenant = v.Id("tenant_id", r.TenantId, IdKind.Tenant, required: false);
        var network = v.Id("network_id", r.NetworkId, IdKind.Network, required: false);
        var instance = v.Id("instance_id", r.InstanceId, IdKind.Instance, required: false);
        var page = v.Page("page", r.Page);
        return v.Finish(() => new ListPorts(tenant, network, instance, page));
    }

    public static ValidationResult<DeletePort> Validate(DeletePortRequest r)
    {
        var v = new Violations();
        var id = v.Id("id", r.Id, IdKind.Port);
        return v.Finish(() => new DeletePort(id!));
    }
}
