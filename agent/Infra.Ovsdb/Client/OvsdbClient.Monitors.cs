using System.Text.Json;
using Infra.Ovsdb.Connection;
using Infra.Ovsdb.Monitor;

namespace Infra.Ovsdb.Client;

public sealed partial class OvsdbClient
{
    /// <summary>
    /// Registers a monitor (monitor_cond with update2 when <paramref name="conditional"/>, else the
    /// RFC 7047 monitor with update) and returns its replica once the initial rows are in. The monitor
    /// is re-established, and the replica resynced, after every reconnect.
    /// </summary>
    public async Task<OvsdbReplica> MonitorAsync(string db, IReadOnlyDictionary<string, MonitorTable> tables, CancellationToken ct, bool conditional = true)
    {
        var conn = await GetConnectionAsync(ct).ConfigureAwait(false);
        var schema = await GetSchemaCachedAsync(conn, db, ct).ConfigureAwait(false);
        var reg = new MonitorRegistration($"m{Interlocked.Increment(ref _monitorSeq)}", db, tables, conditional, new OvsdbReplica(schema));
        lock (_monitors) _monitors.Add(reg);
        // If the session drops around registration, either the next session's resync includes this
        // monitor (Resyncs > 0, or the server calls our retry a duplicate) or we issue it ourselves.
        while (true)
        {
            try
            {
                await SendMonitorAsync(conn, reg, ct).ConfigureAwait(false);
                return reg.Replica;
            }
            catch (OvsdbConnectionClosedException) { }
            catch (OvsdbRpcException ex) when (ex.Message.Contains("duplicate", StringComparison.OrdinalIgnoreCase)) { }
            conn = await GetConnectionAsync(ct).ConfigureAwait(false);
            if (reg.Replica.Resyncs > 0) return reg.Replica;
        }
    }

    private async Task<OvsdbSchema> GetSchemaCachedAsync(OvsdbConnection conn, string db, CancellationToken ct)
    {
        lock (_schemas) if (_schemas.TryGetValue(db, out var s)) return s;
        var json = await conn.CallAsync("get_schema", w => w.WriteStringValue(db), ct).ConfigureAwait(false);
        var parsed = OvsdbSchema.Parse(json);
        lock (_schemas) _schemas[db] = parsed;
        return parsed;
    }

    private Task SendMonitorAsync(OvsdbConnection conn, MonitorRegistration reg, CancellationToken ct) =>
        conn.CallAsync(reg.Conditional ? "monitor_cond" : "monitor", w =>
        {
            w.WriteStringValue(reg.Db);
            w.WriteStringValue(reg.Id);
            w.WriteStartObject();
            foreach (var (table, spec) in reg.Tables)
            {
                w.WritePropertyName(table);
                if (reg.Conditional) w.WriteStartArray();
                w.WriteStartObject();
                if (spec.Columns is not null)
                {
                    w.WriteStartArray("columns");
                    foreach (var c in spec.Columns) w.WriteStringValue(c);
                    w.WriteEndArray();
                }
                if (reg.Conditional && spec.Where is not null)
                {
                    w.WriteStartArray("where");
                    foreach (var c in spec.Where) c.Write(w);
                    w.WriteEndArray();
                }
                w.WriteEndObject();
                if (reg.Conditional) w.WriteEndArray();
            }
            w.WriteEndObject();
        }, initial => reg.Replica.Reset(initial, reg.Conditional), ct);

    /// <summary>Routes update/update2 notifications to their replica; runs on the read loop, in order.</summary>
    private void OnNotification(string method, JsonElement p)
    {
        if (method is not ("update" or "update2") || p.ValueKind != JsonValueKind.Array || p.GetArrayLength() < 2) return;
        var id = p[0].ValueKind == JsonValueKind.String ? p[0].GetString() : p[0].GetRawText();
        MonitorRegistration? reg;
        lock (_monitors) reg = _monitors.FirstOrDefault(m => m.Id == id);
        reg?.Replica.Apply(p[1], method == "update2");
    }
}
