using System.Net;
using Infra.Flows.Flows;
using Infra.Flows.Model;

namespace Infra.Flows.Pipeline;

/// <summary>A port, local or remote, with its strings parsed once into the values flows need.</summary>
internal sealed record PortView(
    string Id,
    TenantInfo Tenant,
    Mac Mac,
    IReadOnlyList<IPAddress> V4,
    IReadOnlyList<IPAddress> V6,
    IReadOnlyList<string> Policies,
    int? OfPort,
    Peer? Peer)
{
    public bool IsLocal => OfPort is not null;

    /// <summary>v4 addresses then v6 ones (the link-local one included).</summary>
    public IEnumerable<IPAddress> AllAddresses => V4.Concat(V6);

    public ulong Cookie { get; } = Cookies.Port(Id);
}
