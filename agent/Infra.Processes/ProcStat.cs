namespace Infra.Processes;

/// <summary>
/// The fields we use from one <c>/proc/&lt;pid&gt;/stat</c> line. The second field, comm, is in
/// parentheses and may itself hold spaces and ')' (a process may name itself "a) b"), so the
/// line is split at the LAST ')' and the fields after it are counted from there.
/// </summary>
public readonly record struct ProcStat(int Pid, string Comm, char State, ulong StartTime)
{
    /// <summary>False for a zombie (exited, not yet reaped) or a dead task: it runs no more.</summary>
    public bool IsAlive => State is not ('Z' or 'X' or 'x');

    /// <summary>Parses a stat line; null when it is not one (truncated or garbled).</summary>
    public static ProcStat? Parse(string line)
    {
        var open = line.IndexOf('(');
        var close = line.LastIndexOf(')');
        if (open <= 0 || close < open || close + 2 > line.Length) return null;
        if (!int.TryParse(line.AsSpan(0, open).Trim(), out var pid)) return null;
        // After ") ": field 3 (state) is index 0, field 22 (starttime, clock ticks since boot) is index 19.
        var rest = line[(close + 2)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (rest.Length < 20 || rest[0].Length != 1 || !ulong.TryParse(rest[19], out var start)) return null;
        return new ProcStat(pid, line[(open + 1)..close], rest[0][0], start);
    }
}
