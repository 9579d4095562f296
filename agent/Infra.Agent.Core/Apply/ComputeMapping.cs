using Infra.Agent.Compute.Manager;
using Infra.Agent.Compute.Model;
using Infra.Agent.Core.State;
using Infra.V1;

namespace Infra.Agent.Core.Apply;

/// <summary>The VMs to hand to the VM manager, and the ids of VMs that could not be mapped this time.</summary>
/// <param name="Vms">Mapped VMs.</param>
/// <param name="Unmapped">Desired VMs whose spec could not be resolved; the caller must keep them as they are, never destroy them.</param>
public sealed record ComputeDesired(IReadOnlyList<DesiredVm> Vms, IReadOnlyList<string> Unmapped);

/// <summary>Pure: the snapshot's VMs, with volume ids resolved to vhost-user-blk sockets and port ids to taps.</summary>
public static class ComputeMapping
{
    /// <summary>Maps every desired VM; a VM naming a port or volume that is not desired on this host is an error.</summary>
    public static Mapped<ComputeDesired> ToDesiredVms(DesiredSnapshot snapshot, Func<string, string> volumeSocket)
    {
        var ports = snapshot.OfKind(DesiredKind.Port).Select(r => r.Port).ToDictionary(p => p.Id, StringComparer.Ordinal);
        var volumes = snapshot.OfKind(DesiredKind.Volume).Select(r => r.Volume.Id).ToHashSet(StringComparer.Ordinal);
        var vms = new List<DesiredVm>();
        var unmapped = new List<string>();
        var errors = new List<ResourceError>();
        foreach (var spec in snapshot.OfKind(DesiredKind.Vm).Select(r => r.Vm).Where(v => !v.Deleted))
        {
            var problems = new List<string>();
            problems.AddRange(spec.PortIds.Where(p => !ports.ContainsKey(p)).Select(p => $"port {p} is not bound on this host"));
            problems.AddRange(spec.VolumeIds.Where(v => !volumes.Contains(v)).Select(v => $"volume {v} is not served on this host"));
            if (problems.Count == 0)
            {
                var vm = VmSpecMapping.ToDesired(spec, volumeSocket, id => new VmNic(ports[id].InterfaceName, ports[id].MacAddress));
                problems.AddRange(vm.Definition.Validate());
                if (problems.Count == 0) { vms.Add(vm); continue; }
            }
            unmapped.Add(spec.Id);
            errors.Add(NetworkMapping.Error(DesiredKind.Vm, spec.Id, string.Join("; ", problems)));
        }
        return new(new ComputeDesired(vms, unmapped), errors);
    }

    /// <summary>The VMs the controller deleted (tombstones): the only VMs the manager destroys.</summary>
    public static IReadOnlySet<string> Deleted(DesiredSnapshot snapshot) =>
        snapshot.OfKind(DesiredKind.Vm).Select(r => r.Vm).Where(v => v.Deleted).Select(v => v.Id).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// VMs with a record on this host that the snapshot names neither as a spec nor as a tombstone:
    /// orphans, left as they are (never destroyed for being absent) and reported.
    /// </summary>
    public static IReadOnlyList<string> Orphans(DesiredSnapshot snapshot, IEnumerable<string> held) =>
        VmReconciler.Orphans(snapshot.OfKind(DesiredKind.Vm).Where(r => !r.Vm.Deleted).Select(r => r.Vm.Id), held, Deleted(snapshot));

    /// <summary>
    /// The manager destroys VMs that are deleted; a VM whose new spec is unusable must not be
    /// destroyed for it, so it is kept with the definition it already runs with.
    /// </summary>
    public static IReadOnlyList<DesiredVm> KeepUnmapped(ComputeDesired desired, DesiredSnapshot snapshot, Func<string, VmRecord?> record)
    {
        var result = desired.Vms.ToList();
        foreach (var id in desired.Unmapped)
        {
            if (record(id) is not { } rec) continue;
            var spec = snapshot.Resources[new ResourceKey(DesiredKind.Vm, id)].Vm;
            var power = spec.PowerState switch { InstanceState.Stopped => DesiredPower.Stopped, InstanceState.Paused => DesiredPower.Paused, _ => DesiredPower.Running };
            result.Add(new DesiredVm(rec.Definition, power, rec.RebootGeneration, TimeSpan.FromSeconds(spec.ShutdownTimeoutSeconds == 0 ? 60 : spec.ShutdownTimeoutSeconds)));
        }
        return result;
    }
}
