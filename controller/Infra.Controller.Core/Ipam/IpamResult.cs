using System.Net;

namespace Infra.Controller.Core.Ipam;

public enum IpamOutcome { Allocated, Exhausted, AlreadyInUse, Invalid, Contended }

/// <summary>The outcome of an allocation: the address, or why there is none (in words an operator can act on).</summary>
public sealed record IpamResult(IpamOutcome Outcome, IPAddress? Address = null, string? Error = null)
{
    public bool Ok => Outcome == IpamOutcome.Allocated;
    public static IpamResult Of(IPAddress a) => new(IpamOutcome.Allocated, a);
}

public sealed record MacResult(IpamOutcome Outcome, string? Mac = null, string? Error = null)
{
    public bool Ok => Outcome == IpamOutcome.Allocated;
}
