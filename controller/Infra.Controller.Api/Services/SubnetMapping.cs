using System.Net;
using Infra.Controller.Domain.Validation;
using Dom = Infra.Controller.Domain.Commands;

namespace Infra.Controller.Api.Services;

/// <summary>Subnets between the wire (stored) and the domain, whose type IPAM also takes.</summary>
public static class SubnetMapping
{
    public static Infra.V1.Subnet ToWire(Dom.SubnetSpec s)
    {
        var w = new Infra.V1.Subnet
        {
            Cidr = s.Cidr.ToString(),
            Gateway = s.Gateway?.ToString() ?? "",
            IpVersion = s.Cidr.Version == Domain.Model.IpVersion.V4 ? Infra.V1.IpVersion._4 : Infra.V1.IpVersion._6,
        };
        w.DnsServers.AddRange(s.DnsServers.Select(d => d.ToString()));
        w.AllocationRanges.AddRange(s.AllocationRanges.Select(r => new Infra.V1.AddressRange { First = r.First.ToString(), Last = r.Last.ToString() }));
        w.HostRoutes.AddRange(s.HostRoutes.Select(r => new Infra.V1.HostRoute { Destination = r.Destination.ToString(), Nexthop = r.Nexthop.ToString() }));
        return w;
    }

    /// <summary>A stored subnet as the domain sees it (stored subnets were validated on the way in).</summary>
    public static Dom.SubnetSpec ToDomain(Infra.V1.Subnet s)
    {
        var copy = s.Clone();
        copy.IpVersion = Infra.V1.IpVersion.Unspecified;
        return SubnetValidation.Subnet(new Violations(), "subnet", copy)
            ?? throw new InvalidOperationException($"stored subnet {s.Cidr} no longer parses");
    }
}
