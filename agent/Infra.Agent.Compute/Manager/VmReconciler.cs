namespace Infra.Agent.Compute.Manager;

/// <summary>
/// Pure: (desired VMs, observed VMs) -> actions. A full recompute every time; the manager applies
/// the actions in order, VM by VM.
///
/// Rules worth knowing:
/// - A running qemu the agent does not hold yet (found after a restart) is adopted first, then
///   treated like any other: an agent restart never restarts a VM.
/// - A VM that stopped or crashed on its own stays down (reported Exited or Crashed with a reason)
///   until the controller bumps reboot_generation: no crash loops, no fighting a guest that shut
///   itself down. When the desired state becomes Stopped the VM is acknowledged as stopped, so a
///   later Running starts it without a bump.
/// - cpu_mhz, a rebuilt config drive (same device, new medium) and disks added or removed apply live;
///   other definition changes apply at the next start. A disk is plugged into the first free PCIe
///   root port and unplugged from it; a disk qemu was started with sits on the root bus, which q35
///   cannot unplug, so its removal waits for the next start, as does a disk with no free port left.
/// - Absent is not deleted: only a VM the controller tombstoned (<c>deleted</c>) is destroyed. A VM on
///   disk that is neither desired nor tombstoned is an orphan (a stale, damaged or empty desired
///   state, a controller that lost its database): it is adopted if it runs and otherwise left as it
///   is, and the caller reports it (<see cref="Orphans"/>).
/// - A busy VM (an operation on it still in flight, e.g. a shutdown in the background) gets no
///   action: the next pass, after the operation ended, plans from what it left.
/// </summary>
public static class VmReconciler
{
    /// <summary>The actions that move <paramref name="observed"/> toward <paramref name="desired"/>.</summary>
    /// <param name="desired">What the controller wants.</param>
    /// <param name="observed">What the manager found.</param>
    /// <param name="destroyTimeout">Graceful shutdown time for VMs that are deleted (default 30 s).</param>
    /// <param name="deleted">The VMs the controller deleted (tombstones); the only ones ever destroyed.</param>
    public static IReadOnlyList<VmAction> Plan(IReadOnlyList<DesiredVm> desired, IReadOnlyList<ObservedVm> observed, TimeSpan? destroyTimeout = null, IReadOnlySet<string>? deleted = null)
    {
        var actions = new List<VmAction>();
        var seen = observed.ToDictionary(o => o.Id, StringComparer.Ordinal);
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var d in desired.OrderBy(d => d.Definition.Id, StringComparer.Ordinal))
        {
            wanted.Add(d.Definition.Id);
            if (seen.GetValueOrDefault(d.Definition.Id) is { Busy: true }) continue;
            actions.AddRange(PlanOne(d, seen.GetValueOrDefault(d.Definition.Id)));
        }
        foreach (var o in observed.Where(o => !wanted.Contains(o.Id) && !o.Busy).OrderBy(o => o.Id, StringComparer.Ordinal))
        {
            if (deleted?.Contains(o.Id) == true) actions.Add(new VmAction.Destroy(o.Id, destroyTimeout ?? TimeSpan.FromSeconds(30)));
            else if (o.IsUp && !o.Managed) actions.Add(new VmAction.Adopt(o.Id));
        }
        return actions;
    }

    /// <summary>Observed VMs that are neither desired nor deleted: left as they are, and reported.</summary>
    public static IReadOnlyList<string> Orphans(IEnumerable<string> desired, IEnumerable<string> observed, IReadOnlySet<string> deleted)
    {
        var named = desired.ToHashSet(StringComparer.Ordinal);
        return observed.Where(id => !named.Contains(id) && !deleted.Contains(id)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    private static IEnumerable<VmAction> PlanOne(DesiredVm d, ObservedVm? o)
    {
        var id = d.Definition.Id;
        var start = new VmAction.Start(d.Definition, d.Power == DesiredPower.Paused, d.RebootGeneration);
        if (o is null)
        {
            if (d.Power != DesiredPower.Stopped) yield return start;
            yield break;
        }
        if (o.IsUp)
        {
            if (!o.Managed) yield return new VmAction.Adopt(id);
            if (d.Power == DesiredPower.Stopped) { yield return new VmAction.Stop(id, d.ShutdownTimeout); yield break; }
            if (o.CpuMhz != d.Definition.CpuMhz) yield return new VmAction.SetCpu(id, d.Definition.CpuMhz, d.Definition.CpuQuotaPercent);
            foreach (var disk in PlanDisks(d.Definition.DiskSockets, o)) yield return disk;
            // A rebuilt config drive swaps in live; a VM started without one gets one at its next start
            // (a CD drive cannot be hot-plugged onto a bus that is not there).
            if (d.Definition.ConfigDrive is { } cd && o.ConfigDriveSha256 is { } held && held != cd.Sha256)
                yield return new VmAction.ChangeConfigDrive(id, cd);
            if (d.RebootGeneration > o.RebootGeneration) yield return new VmAction.Reboot(id, d.RebootGeneration);
            if (d.Power == DesiredPower.Running && o.Power == ObservedPower.Paused) yield return new VmAction.Resume(id);
            if (d.Power == DesiredPower.Paused && o.Power == ObservedPower.Running) yield return new VmAction.Pause(id);
            yield break;
        }
        if (d.Power == DesiredPower.Stopped)
        {
            if (o.Power != ObservedPower.Stopped) yield return new VmAction.AcknowledgeStopped(id);
            yield break;
        }
        if (o.Power == ObservedPower.Stopped || d.RebootGeneration > o.RebootGeneration) yield return start;
    }

    /// <summary>Unplugs hot-plugged disks no longer wanted (freeing their ports first), then plugs new ones into free ports.</summary>
    private static IEnumerable<VmAction> PlanDisks(IReadOnlyList<string> wanted, ObservedVm o)
    {
        var want = wanted.ToHashSet(StringComparer.Ordinal);
        var taken = new HashSet<int>();
        foreach (var h in o.HotDisks.OrderBy(h => h.Slot))
        {
            if (want.Contains(h.Socket)) taken.Add(h.Slot);
            else yield return new VmAction.DetachDisk(o.Id, h.Socket, h.Slot);
        }
        var held = o.ColdDisks.Concat(o.HotDisks.Select(h => h.Socket)).ToHashSet(StringComparer.Ordinal);
        foreach (var socket in wanted.Where(s => !held.Contains(s)).Distinct(StringComparer.Ordinal))
        {
            var slot = Enumerable.Range(0, o.HotplugSlots).Where(s => !taken.Contains(s)).DefaultIfEmpty(-1).First();
            if (slot < 0) yield break;
            taken.Add(slot);
            yield return new VmAction.AttachDisk(o.Id, socket, slot);
        }
    }
}
