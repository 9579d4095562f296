using System.Globalization;

namespace Infra.Agent.Network.Model;

/// <summary>
/// One OpenFlow rule in ovs-ofctl syntax. The cookie names the rule's owner (port, tenant, tunnel):
/// all rules with one cookie form a group that is replaced together. Identity within the switch is
/// (table, priority, match); two rules with the same identity cannot coexist.
/// </summary>
public sealed record FlowSpec(ulong Cookie, byte Table, ushort Priority, string Match, string Actions)
{
    public FlowKey Key => new(Table, Priority, Match);

    public string MatchText => $"table={Table},priority={Priority}{(Match.Length > 0 ? "," + Match : "")}";

    /// <summary>The line for an ovs-ofctl flow file ("add" is implied without a keyword).</summary>
    public string ToAddLine() => string.Create(CultureInfo.InvariantCulture, $"add cookie=0x{Cookie:x},{MatchText},actions={Actions}");

    public string ToDeleteStrictLine() => string.Create(CultureInfo.InvariantCulture, $"delete_strict cookie=0x{Cookie:x}/-1,{MatchText}");

    public IEnumerable<string> Validate()
    {
        if (Match.Contains("actions", StringComparison.Ordinal) || Match.Contains('\n')) yield return $"Flow 0x{Cookie:x}: match \"{Match}\" must not contain actions or newlines.";
        if (string.IsNullOrWhiteSpace(Actions) || Actions.Contains('\n')) yield return $"Flow 0x{Cookie:x}: actions must be non-empty and single-line (use \"drop\" to drop).";
        if (Cookie == 0) yield return "Flow cookie 0 is reserved for flows the agent does not own; give every flow an owner cookie.";
    }
}

public readonly record struct FlowKey(byte Table, ushort Priority, string Match);
