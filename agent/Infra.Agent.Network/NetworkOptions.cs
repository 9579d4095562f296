namespace Infra.Agent.Network;

/// <summary>Where ovs-vswitchd keeps br-*.mgmt (OVS_RUNDIR, /run/openvswitch in production) and how long each step may take.</summary>
public sealed record NetworkOptions(string OvsRunDir)
{
    public string Database { get; init; } = "Open_vSwitch";
    public TimeSpan OfctlTimeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>How long to wait for ovs-vswitchd to apply a transaction (cur_cfg to reach next_cfg).</summary>
    public TimeSpan ApplyTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public string OpenFlowTarget(string bridge) => $"unix:{Path.Combine(OvsRunDir, bridge + ".mgmt")}";

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!Path.IsPathRooted(OvsRunDir)) errors.Add($"OvsRunDir \"{OvsRunDir}\" must be an absolute path (e.g. /run/openvswitch).");
        if (OfctlTimeout <= TimeSpan.Zero) errors.Add("OfctlTimeout must be positive.");
        if (ApplyTimeout <= TimeSpan.Zero) errors.Add("ApplyTimeout must be positive.");
        return errors;
    }
}
