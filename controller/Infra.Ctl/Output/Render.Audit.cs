using System.Globalization;
using Infra.V1;

namespace Infra.Ctl.Output;

public static partial class Render
{
    /// <summary>One row per record; the method without its package ("Tenants/CreateTenant"), times in UTC.</summary>
    public static void AuditRecords(IEnumerable<AuditRecord> items, TextWriter w)
    {
        var t = new Table("TIME", "PRINCIPAL", "METHOD", "OBJECTS", "OUTCOME", "DETAIL");
        foreach (var x in items)
            t.Row(x.Time?.ToDateTimeOffset().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), x.Principal,
                x.Method.StartsWith("/infra.v1.", StringComparison.Ordinal) ? x.Method["/infra.v1.".Length..] : x.Method,
                string.Join(",", x.ObjectIds), x.Outcome, x.Detail);
        t.WriteTo(w);
    }
}
