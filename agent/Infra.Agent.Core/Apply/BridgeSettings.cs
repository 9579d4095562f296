namespace Infra.Agent.Core.Apply;

/// <summary>The integration bridge as the agent's config defines it (the controller never names it).</summary>
/// <param name="Name">br-int by default.</param>
/// <param name="DatapathType">"system" (kernel) or "netdev" (userspace, tests).</param>
/// <param name="DatapathId">Pinned so that adding ports never changes it (see DESIGN.md).</param>
public sealed record BridgeSettings(string Name, string DatapathType, ulong DatapathId);
