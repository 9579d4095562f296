namespace Infra.Agent.Network.Switch;

/// <summary>One change to OVSDB rows the planner asks for. All actions of one plan go in one transaction.</summary>
public abstract record SwitchAction;

public sealed record CreateBridge(string Name, string DatapathType, IReadOnlyDictionary<string, string> OtherConfig) : SwitchAction;

/// <summary>Sets bridge columns that differ; OtherConfig holds only the keys we own (others stay untouched).</summary>
public sealed record UpdateBridge(Guid Uuid, string DatapathType, IReadOnlyDictionary<string, string> OtherConfig) : SwitchAction;

/// <summary>The desired shape of a port with its single interface.</summary>
public sealed record PortShape(string Name, string Type, IReadOnlyDictionary<string, string> Options, int? OfPortRequest,
    IReadOnlyDictionary<string, string> ExternalIds);

public sealed record AddPort(PortShape Shape) : SwitchAction;

public sealed record UpdateInterface(Guid InterfaceUuid, Guid PortUuid, PortShape Shape) : SwitchAction;

public sealed record RemovePort(Guid PortUuid, string Name) : SwitchAction;
