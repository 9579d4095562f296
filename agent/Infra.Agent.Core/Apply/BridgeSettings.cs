namespace Infra.Agent.Core.Apply;

/// <summary>The integration bridge as the agent's config defines it (the controller never names it).</summary>
/// <param name="Name">br-int by default.</param>
/// <param name="DatapathType">"system" (kernel) or "netdev" (userspace, tests).</param>
/// <param name="DatapathId">Pinned so that adding ports never changes it (see DESIGN.md).</param>
/// <param name="GuestResponder">Put the DHCP/RA responder's internal port on the bridge (the controller's flows expect it at ofport 99).</param>
public sealed record BridgeSettings(string Name, string DatapathType, ulong DatapathId, bool GuestResponder = false);
