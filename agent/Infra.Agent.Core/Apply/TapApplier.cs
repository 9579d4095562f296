using Infra.Agent.Core.State;
using Infra.Agent.Network.Taps;
using Infra.V1;

namespace Infra.Agent.Core.Apply;

/// <summary>
/// The first applier of a pass: makes every desired NIC's tap exist, sized and up, before the network
/// applier puts it on br-int and before compute starts the qemu that opens it (qemu gets
/// <c>script=no,downscript=no</c> and never creates or configures a device itself). Taps of VMs that are
/// gone are removed once no VM record on this host names them (a VM deleted in the background keeps its
/// tap until its qemu has exited). A NIC whose tap cannot be made ready is reported against its port and,
/// through <see cref="Problem"/>, against its VM, whose start then waits for the next pass.
/// </summary>
public sealed class TapApplier(TapReconciler taps, Func<IReadOnlySet<string>> heldByVms) : IResourceApplier
{
    private volatile IReadOnlyDictionary<string, string> _vmProblems = new Dictionary<string, string>();
    private volatile IReadOnlySet<string> _failed = new HashSet<string>();

    /// <inheritdoc/>
    public string Name => "taps";

    /// <summary>Why a VM's NICs are not ready (null when they are): its start waits, and its status says so.</summary>
    public string? Problem(string instanceId) => _vmProblems.GetValueOrDefault(instanceId);

    /// <summary>Every VM whose NICs are not ready, with why.</summary>
    public IReadOnlyDictionary<string, string> Problems => _vmProblems;

    /// <summary>False when the last pass could not make the tap ready (the network applier leaves it off br-int until it is).</summary>
    public bool IsReady(string tap) => !_failed.Contains(tap);

    /// <inheritdoc/>
    public Task<IReadOnlyList<ResourceError>> ApplyAsync(DesiredSnapshot snapshot, bool periodic, CancellationToken ct)
    {
        var desired = snapshot.OfKind(DesiredKind.Port).Select(r => r.Port)
            .Where(p => TapPlanner.IsOurs(p.InterfaceName))
            .Select(p => new DesiredTap(p.InterfaceName, p.Id, p.InstanceId)).ToList();
        var result = taps.Reconcile(desired, heldByVms());
        var errors = new List<ResourceError>();
        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var d in desired)
        {
            if (!result.Failed.TryGetValue(d.Name, out var why)) continue;
            var text = $"NIC {d.PortId}: tap {d.Name} could not be set up ({why}); retrying on the next pass";
            errors.Add(NetworkMapping.Error(DesiredKind.Port, d.PortId, text));
            problems[d.InstanceId] = problems.TryGetValue(d.InstanceId, out var more) ? more + "; " + text : text;
        }
        _vmProblems = problems;
        _failed = result.Failed.Keys.ToHashSet(StringComparer.Ordinal);
        return Task.FromResult<IReadOnlyList<ResourceError>>(errors);
    }
}
