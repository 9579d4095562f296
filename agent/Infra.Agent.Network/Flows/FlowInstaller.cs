using Infra.Agent.Network.Model;

namespace Infra.Agent.Network.Flows;

public enum FlowApplyMode { Unchanged, Delta, Adopted }

public sealed record FlowApplyResult(FlowApplyMode Mode, int Deleted, int Added, IReadOnlyList<ulong> ChangedCookies, IReadOnlyList<ulong> CookiesFoundOnSwitch);

/// <summary>
/// Keeps the switch's flow table equal to the desired flows, touching only what changed.
/// Model (after ovn-controller's ofctrl): a desired table and an installed table, both grouped by
/// cookie. A normal pass sends only the per-flow difference of the changed groups as ONE OpenFlow
/// bundle, so the switch goes from old to new atomically: there is no moment where a group's old
/// rules are gone and its new ones absent, and cost is proportional to the change, not the table.
/// The first pass after a start (or after a failed pass) does not trust the installed table: it
/// reads the switch (dump-flows, for the cookies present) and lets `replace-flows --bundle` diff the
/// whole table, which leaves every already-correct rule untouched (counters and all) and removes
/// what no one wants any more.
/// </summary>
public sealed class FlowInstaller(Ofctl ofctl)
{
    private Dictionary<ulong, FlowGroup>? _installed;

    /// <summary>The installed table as last confirmed; null until the first successful pass.</summary>
    public IReadOnlyDictionary<ulong, FlowGroup>? Installed => _installed;

    /// <param name="keepUndesired">Remove no group: a group installed (or found on the switch) that
    /// <paramref name="flows"/> lacks stays, as it is (see <see cref="HostNetworkSpec.KeepUndesired"/>).</param>
    public async Task<FlowApplyResult> ApplyAsync(IReadOnlyList<FlowSpec> flows, CancellationToken ct, bool keepUndesired = false)
    {
        var desired = FlowGroup.GroupAll(flows);
        if (_installed is null) return await AdoptAsync(desired, flows, keepUndesired, ct).ConfigureAwait(false);
        if (keepUndesired) desired = KeepUndesired(desired, _installed.Values);
        var delta = FlowDelta.Compute(_installed, desired);
        if (delta.IsEmpty) return new(FlowApplyMode.Unchanged, 0, 0, [], []);
        _installed = null; // if the bundle fails we no longer know what is installed: next pass re-adopts
        await WithFileAsync(delta.ToLines(), file => ofctl.RunAsync(ct, "--bundle", "add-flows", "{target}", file)).ConfigureAwait(false);
        _installed = desired;
        return new(FlowApplyMode.Delta, delta.Deletes.Count, delta.Adds.Count, delta.ChangedCookies, []);
    }

    private async Task<FlowApplyResult> AdoptAsync(Dictionary<ulong, FlowGroup> desired, IReadOnlyList<FlowSpec> flows, bool keepUndesired, CancellationToken ct)
    {
        var dumped = FlowDumpParser.Parse(await ofctl.RunAsync(ct, "dump-flows", "--no-stats", "{target}").ConfigureAwait(false));
        var found = dumped.Select(f => f.Cookie).Distinct().Order().ToArray();
        if (keepUndesired)
            desired = KeepUndesired(desired, FlowGroup.GroupAll(dumped.Select(f => new FlowSpec(f.Cookie, f.Table, f.Priority, f.Match, f.Actions))).Values);
        var lines = desired.Values.SelectMany(g => g.ByKey.Values).Select(f => f.ToAddLine()[4..]);
        // An empty switch (fresh bridge) has nothing to diff against: a plain bundle add skips replace-flows' read-back.
        var command = dumped.Count == 0 ? "add-flows" : "replace-flows";
        await WithFileAsync(lines, file => ofctl.RunAsync(ct, "--bundle", command, "{target}", file)).ConfigureAwait(false);
        _installed = desired;
        var changed = found.Except(desired.Keys).Union(desired.Keys.Except(found)).Order().ToArray();
        return new(FlowApplyMode.Adopted, dumped.Count(f => !desired.ContainsKey(f.Cookie)), 0, changed, found);
    }

    /// <summary>
    /// Cheap drift check: compares the switch's flow count (dump-aggregate) with the installed table.
    /// A restarted ovs-vswitchd comes back with no flows while OVSDB is unchanged; someone may have
    /// run del-flows by hand. On a mismatch the installed table is forgotten, so the next pass
    /// re-adopts. Returns true when the switch still agrees.
    /// </summary>
    public async Task<bool> VerifyAsync(CancellationToken ct)
    {
        if (_installed is null) return false;
        var text = await ofctl.RunAsync(ct, "dump-aggregate", "{target}").ConfigureAwait(false);
        var at = text.IndexOf("flow_count=", StringComparison.Ordinal);
        var count = at < 0 ? -1 : int.Parse(new string(text[(at + 11)..].TakeWhile(char.IsDigit).ToArray()), System.Globalization.CultureInfo.InvariantCulture);
        if (count == _installed.Values.Sum(g => g.ByKey.Count)) return true;
        _installed = null;
        return false;
    }

    /// <summary>Pure: <paramref name="desired"/> plus every group of <paramref name="held"/> whose cookie it lacks.</summary>
    public static Dictionary<ulong, FlowGroup> KeepUndesired(Dictionary<ulong, FlowGroup> desired, IEnumerable<FlowGroup> held)
    {
        var result = new Dictionary<ulong, FlowGroup>(desired);
        foreach (var g in held) result.TryAdd(g.Cookie, g);
        return result;
    }

    /// <summary>Forgets the installed table, so the next pass re-reads the switch (e.g. after ovs-vswitchd restarted).</summary>
    public void Invalidate() => _installed = null;

    private static async Task WithFileAsync(IEnumerable<string> lines, Func<string, Task> action)
    {
        var path = Path.Combine(Path.GetTempPath(), $"infra-flows-{Guid.NewGuid():N}.txt");
        try
        {
            await File.WriteAllLinesAsync(path, lines).ConfigureAwait(false);
            await action(path).ConfigureAwait(false);
        }
        finally { File.Delete(path); }
    }
}
