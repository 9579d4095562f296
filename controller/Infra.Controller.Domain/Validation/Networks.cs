using System.Collections.Immutable;
using Infra.Controller.Domain.Commands;
using Infra.Controller.Domain.Errors;
using Infra.Controller.Domain.Model;
using Infra.V1;
using IpVersion = Infra.Controller.Domain.Model.IpVersion;

namespace Infra.Controller.Domain.Validation;

/// <summary>
/// Parses the Networks service's requests. MTU: 0 means 1450 (a 1500-byte underlay minus GRE and
/// outer IP headers); otherwise 576 (the IPv4 minimum) to 9000 (jumbo frames), and at least 1280
/// once the network has an IPv6 subnet, since IPv6 requires it on every link.
/// </summary>
public static class NetworkValidation
{
    public const int DefaultMtu = 1450;
    public const int MaxMtu = 9000;

    public static ValidationResult<CreateNetwork> Validate(CreateNetworkRequest r)
    {
        var v = new Violations();
        var requestId = v.RequestId("request_id", r.RequestId);
        var tenant = v.Id("tenant_id", r.TenantId, IdKind.Tenant);
        var name = v.Name("name", r.Name);
        var subnets = Subnets(v, "subnets", r.Subnets, []);
        var mtu = Mtu(v, "mtu", r.Mtu, subnets.Any(s => s?.Cidr.Version == IpVersion.V6));
        var labels = v.Labels("labels", r.Labels);
        return v.Finish(() => new CreateNetwork(requestId, tenant!, name, [.. subnets.Select(s => s!)], mtu, labels));
    }

    /// <summary>Update without knowing the network: overlaps among the added subnets only.</summary>
    public static ValidationResult<UpdateNetwork> Validate(UpdateNetworkRequest r) => Validate(r, []);

    /// <summary>Update against the network's current subnets, so overlaps with them are reported as field errors too.</summary>
    public static ValidationResult<UpdateNetwork> Validate(UpdateNetworkRequest r, IReadOnlyList<IpCidr> existingSubnets)
    {
        var v = new Violations();
        var id = v.Id("id", r.Id, IdKind.Network);
        var subnets = Subnets(v, "add_subnets", r.AddSubnets, existingSubnets);
        var labels = v.Labels("labels", r.Labels);
        if (!r.SetLabels && r.Labels.Count > 0)
            v.Add("set_labels", "labels were given but set_labels is false; set it to true to replace the labels");
        var revision = v.Revision("expected_revision", r.ExpectedRevision);
        if (subnets.Count == 0 && !r.SetLabels)
            v.Add("add_subnets", "nothing to change: give subnets to add, or set_labels with the new labels");
        return v.Finish(() => new UpdateNetwork(id!, [.. subnets.Select(s => s!)], r.SetLabels ? labels : null, revision));
    }

    public static ValidationResult<GetNetwork> Validate(GetNetworkRequest r)
    {
        var v = new Violations();
        var id = v.Id("id", r.Id, IdKind.Network);
        return v.Finish(() => new GetNetwork(id!));
    }

    public static ValidationResult<ListNetworks> Validate(ListNetworksRequest r)
    {
        var v = new Violations();
        var tenant = v.Id("tenant_id", r.TenantId, IdKind.Tenant, required: false);
        var page = v.Page("page", r.Page);
        return v.Finish(() => new ListNetworks(tenant, page));
    }

    public static ValidationResult<DeleteNetwork> Validate(DeleteNetworkRequest r)
    {
        var v = new Violations();
        var id = v.Id("id", r.Id, IdKind.Network);
        return v.Finish(() => new DeleteNetwork(id!));
    }

    public static ValidationResult<ListAllocations> Validate(ListAllocationsRequest r)
    {
        var v = new Violations();
        var id = v.Id("network_id", r.NetworkId, IdKind.Network);
        var page = v.Page("page", r.Page);
        return v.Finish(() => new ListAllocations(id!, page));
    }

    static List<SubnetSpec?> Subnets(Violations v, string field, IList<Subnet> input, IReadOnlyList<IpCidr> existing)
    {
        if (input.Count + existing.Count > SubnetValidation.MaxSubnets)
            v.Add(field, $"a network may have at most {SubnetValidation.MaxSubnets} subnets; this would make {input.Count + existing.Count}");
        var subnets = input.Select((s, i) => SubnetValidation.Subnet(v, Violations.Index(field, i), s)).ToList();
        SubnetValidation.CheckOverlaps(v, field, subnets, existing);
        return subnets;
    }

    static int Mtu(Violations v, string field, uint mtu, bool hasV6)
    {
        if (mtu == 0) return DefaultMtu;
        var min = hasV6 ? 1280 : 576;
        if (mtu < min || mtu > MaxMtu)
            v.Add(field, $"must be {min}-{MaxMtu}{(hasV6 ? " (IPv6 needs at least 1280)" : "")}, or 0 for the default {DefaultMtu}; got {mtu}");
        return (int)Math.Min(mtu, MaxMtu);
    }
}
