namespace Infra.Flows.Flows;

/// <summary>
/// One OpenFlow flow as the compiler wants it installed. Render() gives an `ovs-ofctl add-flows`
/// line; the flow's identity in OpenFlow is (table, priority, match), which <see cref="Key"/> is.
/// </summary>
public sealed record Flow(byte Table, ushort Priority, ulong Cookie, IReadOnlyList<MatchField> Match, IReadOnlyList<FlowAction> Actions)
{
    public string MatchText => Join(Match);

    /// <summary>What OpenFlow treats as the same flow: two desired flows must never share it.</summary>
    public (byte, ushort, string) Key => (Table, Priority, MatchText);

    public string Render()
    {
        var match = MatchText;
        var actions = Actions.Count == 0 ? "drop" : Join(Actions);
        return $"table={Table},priority={Priority},cookie=0x{Cookie:x16}{(match.Length > 0 ? "," + match : "")},actions={actions}";
    }

    public override string ToString() => Render();

    private static string Join<T>(IReadOnlyList<T> items) where T : notnull
    {
        if (items.Count == 1) return items[0].ToString()!;
        var sb = new System.Text.StringBuilder(128);
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append(items[i].ToString());
        }
        return sb.ToString();
    }
}

/// <summary>A host's complete flow set in a deterministic order (table, priority descending, match text).</summary>
public sealed record FlowSet(IReadOnlyList<Flow> Flows)
{
    /// <summary>One flow per line, ready for `ovs-ofctl -O OpenFlow15 --bundle add-flows BRIDGE FILE`.</summary>
    public string Render()
    {
        var sb = new System.Text.StringBuilder(Flows.Count * 160);
        foreach (var f in Flows) sb.Append(f.Render()).Append('\n');
        return sb.ToString();
    }

    public IEnumerable<Flow> OwnedBy(ulong cookie) => Flows.Where(f => f.Cookie == cookie);
}
