using System.Text.RegularExpressions;

namespace Infra.Agent.Network.Taps;

/// <summary>A NIC's tap as the desired state names it.</summary>
/// <param name="Name">The interface name (from the port binding; one per port and instance).</param>
/// <param name="PortId">The port, for errors.</param>
/// <param name="InstanceId">The instance whose qemu opens it.</param>
public sealed record DesiredTap(string Name, string PortId, string InstanceId);

/// <summary>One change to the host's taps.</summary>
public abstract record TapAction(string Name)
{
    /// <summary>Create a persistent tap, set its MTU and bring it up.</summary>
    public sealed record Create(string Tap, int Mtu) : TapAction(Tap);
    /// <summary>An existing tap (adopted after a restart, or changed by hand) gets its MTU back.</summary>
    public sealed record SetMtu(string Tap, int Mtu) : TapAction(Tap);
    /// <summary>An existing tap is down: bring it up.</summary>
    public sealed record SetUp(string Tap) : TapAction(Tap);
    /// <summary>A tap of ours that no desired port and no VM on this host names any more.</summary>
    public sealed record Remove(string Tap) : TapAction(Tap);
}

/// <summary>
/// Pure: (desired taps, taps still held by VMs on this host, observed taps) -> actions. A full
/// recompute every pass; an existing tap is adopted as it is (never recreated: a running qemu holds
/// it), only its MTU and up flag are enforced. A tap is removed only when neither the desired state
/// nor any VM the agent still has on disk names it: a VM being deleted in the background keeps its
/// tap until its qemu is gone, and a port reused by a new instance gets a new tap meanwhile.
/// Only names of our shape (<see cref="IsOurs"/>) are ever observed, so other interfaces are never touched.
/// </summary>
public static partial class TapPlanner
{
    /// <summary>"tap" + 12 lower-case hex digits: the controller's name for a (port, instance) NIC.</summary>
    [GeneratedRegex("^tap[0-9a-f]{12}$")]
    private static partial Regex Shape();

    /// <summary>True for names the agent owns (taps of this shape that are tun devices).</summary>
    public static bool IsOurs(string name) => Shape().IsMatch(name);

    /// <summary>The actions that make the host's taps match.</summary>
    public static IReadOnlyList<TapAction> Plan(IReadOnlyList<DesiredTap> desired, IReadOnlySet<string> heldByVms, IReadOnlyList<ObservedTap> observed, int mtu)
    {
        var actions = new List<TapAction>();
        var seen = observed.ToDictionary(o => o.Name, StringComparer.Ordinal);
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var d in desired.OrderBy(d => d.Name, StringComparer.Ordinal))
        {
            if (!wanted.Add(d.Name)) continue;
            if (!seen.TryGetValue(d.Name, out var o)) { actions.Add(new TapAction.Create(d.Name, mtu)); continue; }
            if (o.Mtu != mtu) actions.Add(new TapAction.SetMtu(d.Name, mtu));
            if (!o.Up) actions.Add(new TapAction.SetUp(d.Name));
        }
        foreach (var o in observed.OrderBy(o => o.Name, StringComparer.Ordinal))
            if (!wanted.Contains(o.Name) && !heldByVms.Contains(o.Name) && IsOurs(o.Name)) actions.Add(new TapAction.Remove(o.Name));
        return actions;
    }
}
