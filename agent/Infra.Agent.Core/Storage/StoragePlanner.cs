namespace Infra.Agent.Core.Storage;

/// <summary>One step of a storage pass, carried out by <see cref="StorageApplier"/>.</summary>
public abstract record StorageAction
{
    /// <summary>Stop serving a volume this agent serves that is no longer desired; its file is kept unless it is being purged.</summary>
    public sealed record Stop(string Id, bool Purging) : StorageAction;
    /// <summary>Stop a daemon found in the run directory that no desired volume owns (removed while the agent was away), if one runs there.</summary>
    public sealed record StopStray(string Id) : StorageAction;
    /// <summary>Carry out the purge order of a deleted volume (refused while anything still depends on it).</summary>
    public sealed record Purge(Infra.V1.VolumeSpec Spec) : StorageAction;
    /// <summary>Serve (or adopt) a desired volume, creating its file first when it must; <paramref name="Died"/>: its daemon exited.</summary>
    public sealed record Serve(MappedVolume Volume, bool Died) : StorageAction;
}

/// <summary>
/// The storage pass as <c>(desired, observed) -> actions</c>, like the VM and switch planners: which
/// daemons stop, which purge orders run and which volumes get served, in the order the applier
/// carries them out (stops first, so a purge finds no daemon of ours on its files; serves last).
/// Pure: what runs is passed in (<see cref="Observed"/>), and the applier does the I/O.
/// <para>Keeping a volume served is the safe default: a volume that is desired, or that could not be
/// mapped this pass, or that a VM still names (<c>keep</c>), is never stopped, because stopping its
/// daemon pulls the disk out from under a running guest.</para>
/// </summary>
public static class StoragePlanner
{
    /// <summary>What runs now.</summary>
    /// <param name="Served">Volumes this agent serves, and whether each one's daemon is still alive.</param>
    /// <param name="RunDirectories">Volume ids with a directory under the run root (where a daemon of a previous agent may run).</param>
    public sealed record Observed(IReadOnlyDictionary<string, bool> Served, IReadOnlyCollection<string> RunDirectories);

    /// <param name="desired">The volumes to serve, by id.</param>
    /// <param name="keep">Volumes never to stop this pass: unmappable ones and those a VM still names.</param>
    /// <param name="purges">Purge orders (deleted volumes), in desired-state order.</param>
    public static IReadOnlyList<StorageAction> Plan(IReadOnlyDictionary<string, MappedVolume> desired, IReadOnlySet<string> keep,
        IReadOnlyList<Infra.V1.VolumeSpec> purges, Observed observed)
    {
        var actions = new List<StorageAction>();
        var purging = purges.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        var stillServed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in observed.Served.Keys.Order(StringComparer.Ordinal))
        {
            if (desired.ContainsKey(id) || keep.Contains(id)) stillServed.Add(id);
            else actions.Add(new StorageAction.Stop(id, purging.Contains(id)));
        }
        foreach (var id in observed.RunDirectories.Order(StringComparer.Ordinal))
            if (!desired.ContainsKey(id) && !keep.Contains(id) && !stillServed.Contains(id) && !observed.Served.ContainsKey(id))
                actions.Add(new StorageAction.StopStray(id));
        actions.AddRange(purges.Select(p => new StorageAction.Purge(p)));
        foreach (var (id, v) in desired)
        {
            var alive = observed.Served.TryGetValue(id, out var a) && a;
            if (!alive) actions.Add(new StorageAction.Serve(v, Died: observed.Served.ContainsKey(id)));
        }
        return actions;
    }
}
