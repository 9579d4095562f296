using Infra.V1;

namespace Infra.Agent.Core.Status;

/// <summary>
/// Pure: previous full report + current full report -> what to send. Objects that changed or
/// appeared go in a change report; if any object disappeared the answer is the full report, since
/// only a full report can say "gone". Null: nothing changed.
/// </summary>
public static class StatusDiff
{
    /// <summary>The report to send, or null when nothing changed.</summary>
    public static StatusReport? Changes(StatusReport? previous, StatusReport current)
    {
        if (previous is null) return Full(current);
        var vmsGone = Gone(previous.Vms.Select(v => v.Id), current.Vms.Select(v => v.Id));
        var volsGone = Gone(previous.Volumes.Select(v => v.Id), current.Volumes.Select(v => v.Id));
        var portsGone = Gone(previous.Ports.Select(v => v.Id), current.Ports.Select(v => v.Id));
        if (vmsGone || volsGone || portsGone || previous.Held != current.Held) return Full(current);

        var delta = new StatusReport { Full = false };
        var oldVms = previous.Vms.ToDictionary(v => v.Id);
        delta.Vms.AddRange(current.Vms.Where(v => !oldVms.TryGetValue(v.Id, out var o) || !o.Equals(v)));
        var oldVols = previous.Volumes.ToDictionary(v => v.Id);
        delta.Volumes.AddRange(current.Volumes.Where(v => !oldVols.TryGetValue(v.Id, out var o) || !o.Equals(v)));
        var oldPorts = previous.Ports.ToDictionary(v => v.Id);
        delta.Ports.AddRange(current.Ports.Where(v => !oldPorts.TryGetValue(v.Id, out var o) || !o.Equals(v)));
        return delta.Vms.Count + delta.Volumes.Count + delta.Ports.Count == 0 ? null : delta;
    }

    private static StatusReport Full(StatusReport r)
    {
        var f = r.Clone();
        f.Full = true;
        return f;
    }

    private static bool Gone(IEnumerable<string> before, IEnumerable<string> now) => before.Except(now, StringComparer.Ordinal).Any();
}
