using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Infra.Agent.Network.Taps;

/// <summary>The outcome of one pass: the taps that could not be made ready, by name, with why.</summary>
public sealed record TapResult(IReadOnlyList<TapAction> Actions, IReadOnlyDictionary<string, string> Failed);

/// <summary>
/// Observes the host's taps, plans with <see cref="TapPlanner"/> and applies. A failed action is
/// reported by tap name (the caller maps it to the NIC and VM) and simply planned again next pass;
/// a tap that cannot be removed yet (EBUSY: a qemu still holds it) is retried the same way.
/// </summary>
public sealed partial class TapReconciler(ITapDevices devices, int mtu = TapReconciler.DefaultMtu, ILogger? log = null)
{
    /// <summary>The MTU of VM taps unless configured.</summary>
    public const int DefaultMtu = 1500;
    private readonly ILogger _log = log ?? NullLogger.Instance;

    /// <summary>One pass.</summary>
    public TapResult Reconcile(IReadOnlyList<DesiredTap> desired, IReadOnlySet<string> heldByVms)
    {
        var plan = TapPlanner.Plan(desired, heldByVms, devices.List(TapPlanner.IsOurs), mtu);
        var failed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var a in plan)
        {
            if (failed.ContainsKey(a.Name)) continue;
            try
            {
                switch (a)
                {
                    case TapAction.Create c:
                        devices.Create(c.Name);
                        devices.SetMtu(c.Name, c.Mtu);
                        devices.SetUp(c.Name);
                        LogCreated(c.Name, c.Mtu);
                        break;
                    case TapAction.SetMtu m: devices.SetMtu(m.Name, m.Mtu); break;
                    case TapAction.SetUp u: devices.SetUp(u.Name); break;
                    case TapAction.Remove r: devices.Remove(r.Name); LogRemoved(r.Name); break;
                }
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException or UnauthorizedAccessException)
            {
                failed[a.Name] = e.Message;
                LogFailed(a.GetType().Name, a.Name, e.Message);
            }
        }
        return new TapResult(plan, failed);
    }
}
