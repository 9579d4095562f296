using System.Text;
using Infra.DBus.Wire;

namespace Infra.DBus.Client;

/// <summary>
/// A bus match rule. The same record is sent to the daemon (AddMatch/RemoveMatch, via <see cref="ToString"/>)
/// and applied locally, because the daemon delivers to the connection every signal any rule matched:
/// each handler must only see its own.
/// </summary>
public sealed record MatchRule
{
    public MessageType Type { get; init; } = MessageType.Signal;
    public string? Sender { get; init; }
    public string? Interface { get; init; }
    public string? Member { get; init; }
    public string? Path { get; init; }
    public string? PathNamespace { get; init; }
    public string? Arg0 { get; init; }

    public override string ToString()
    {
        var sb = new StringBuilder();
        void Add(string key, string? value)
        {
            if (value is null) return;
            if (sb.Length > 0) sb.Append(',');
            // Inside quotes only the apostrophe needs care: close, escaped quote, reopen.
            sb.Append(key).Append("='").Append(value.Replace("'", "'\\''")).Append('\'');
        }
        Add("type", Type switch
        {
            MessageType.Signal => "signal", MessageType.MethodCall => "method_call",
            MessageType.MethodReturn => "method_return", _ => "error",
        });
        Add("sender", Sender);
        Add("interface", Interface);
        Add("member", Member);
        Add("path", Path);
        Add("path_namespace", PathNamespace);
        Add("arg0", Arg0);
        return sb.ToString();
    }

    /// <summary>Local filter. Sender is compared only when it is a unique name; well-known names are left to the daemon.</summary>
    public bool Matches(DBusMessage m)
    {
        if (m.Type != Type) return false;
        if (Sender is not null && Sender.StartsWith(':') && m.Sender != Sender) return false;
        if (Interface is not null && m.Interface != Interface) return false;
        if (Member is not null && m.Member != Member) return false;
        if (Path is not null && m.Path != Path) return false;
        if (PathNamespace is not null && m.Path is { } p &&
            !(p == PathNamespace || p.StartsWith(PathNamespace.TrimEnd('/') + "/", StringComparison.Ordinal))) return false;
        if (Arg0 is not null && (m.Body.Count == 0 || m.Body[0] is not string a0 || a0 != Arg0)) return false;
        return true;
    }
}
