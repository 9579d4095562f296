using System.Globalization;

namespace Infra.Agent.Network.Flows;

/// <summary>A flow as `ovs-ofctl dump-flows --no-stats` prints it (OVS's normalized text).</summary>
public sealed record DumpedFlow(ulong Cookie, byte Table, ushort Priority, string Match, string Actions);

/// <summary>
/// Parses dump-flows output, used on adoption to learn which cookie groups the switch already holds.
/// Lines look like "cookie=0x5, table=1, priority=10,ip,in_port=1 actions=drop"; cookie, table and
/// priority are omitted when zero/default (priority 32768).
/// </summary>
public static class FlowDumpParser
{
    public static IReadOnlyList<DumpedFlow> Parse(string output)
    {
        var flows = new List<DumpedFlow>();
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith("NXST_FLOW", StringComparison.Ordinal) || line.StartsWith("OFPST_FLOW", StringComparison.Ordinal)) continue;
            var a = line.IndexOf(" actions=", StringComparison.Ordinal);
            if (a < 0) continue;
            var actions = line[(a + 9)..];
            ulong cookie = 0; byte table = 0; ushort priority = 32768;
            var match = new List<string>();
            foreach (var part in line[..a].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (part.StartsWith("cookie=", StringComparison.Ordinal)) cookie = ParseNumber(part[7..]);
                else if (part.StartsWith("table=", StringComparison.Ordinal)) table = byte.Parse(part[6..], CultureInfo.InvariantCulture);
                else if (part.StartsWith("priority=", StringComparison.Ordinal)) priority = ushort.Parse(part[9..], CultureInfo.InvariantCulture);
                else if (!IsStatistic(part)) match.Add(part);
            }
            flows.Add(new DumpedFlow(cookie, table, priority, string.Join(",", match), actions));
        }
        return flows;
    }

    private static bool IsStatistic(string part) =>
        part.StartsWith("duration=", StringComparison.Ordinal) || part.StartsWith("n_packets=", StringComparison.Ordinal) ||
        part.StartsWith("n_bytes=", StringComparison.Ordinal) || part.StartsWith("idle_age=", StringComparison.Ordinal) ||
        part.StartsWith("hard_age=", StringComparison.Ordinal);

    private static ulong ParseNumber(string s) =>
        s.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? ulong.Parse(s[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture) : ulong.Parse(s, CultureInfo.InvariantCulture);
}
