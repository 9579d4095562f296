namespace Infra.Controller.Model.Store;

// The audit trail: one key per mutating call, outside Root on purpose.
public static partial class StoreLayout
{
    /// <summary>
    /// "/infra/audit/": audit records (protobuf Infra.V1.AuditRecord) under "&lt;ticks D19&gt;-&lt;hex&gt;", so
    /// key order is time order and retention is one DeleteRange. Not under <see cref="Root"/>: the records
    /// grow with every call, and the cluster snapshot, the southbound change feed and Watch all range or
    /// watch Root, so they must never see them.
    /// </summary>
    public const string AuditRoot = "/infra/audit/";

    public static string AuditRecord(string id) => AuditRoot + id;

    /// <summary>The first key at or after <paramref name="time"/> (records are keyed by their UTC ticks).</summary>
    public static string AuditAt(DateTimeOffset time) => AuditRoot + AuditTicks(time);

    /// <summary>The time part of an audit id: UTC ticks, 19 digits, so string order is time order.</summary>
    public static string AuditTicks(DateTimeOffset time) => time.UtcTicks.ToString("D19", System.Globalization.CultureInfo.InvariantCulture);
}
