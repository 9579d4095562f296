using Infra.Ovsdb.Connection;

namespace Infra.Ovsdb.Client;

/// <summary>Where to connect and how to retry. Backoff doubles from MinBackoff up to MaxBackoff.</summary>
public sealed record OvsdbClientOptions(string Endpoint)
{
    public OvsdbConnectionOptions Connection { get; init; } = new();
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(100);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(8);

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>(Connection.Validate());
        try { OvsdbEndpoint.Parse(Endpoint); } catch (FormatException ex) { errors.Add(ex.Message); }
        if (MinBackoff <= TimeSpan.Zero) errors.Add("MinBackoff must be positive.");
        if (MaxBackoff < MinBackoff) errors.Add("MaxBackoff must be at least MinBackoff.");
        return errors;
    }
}

/// <summary>What to monitor in one table: the columns (null = all) and, for monitor_cond, a where clause.</summary>
public sealed record MonitorTable(IReadOnlyList<string>? Columns = null, IReadOnlyList<Transact.OvsdbCondition>? Where = null);
