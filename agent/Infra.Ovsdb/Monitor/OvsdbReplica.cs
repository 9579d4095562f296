using System.Text.Json;
using Infra.Ovsdb.Codec;
using Infra.Ovsdb.Values;

namespace Infra.Ovsdb.Monitor;

/// <summary>
/// In-memory copy of the monitored tables, fed by a monitor's initial reply and its update/update2
/// notifications. Across a reconnect the old rows stay readable until the new initial reply
/// replaces them in one step (<see cref="Reset"/>), so readers never see an empty database that
/// merely means "not resynced yet". Reads return immutable snapshots; <see cref="Changed"/> fires
/// after every applied batch (from the connection's read loop: handlers must be quick).
/// </summary>
public sealed class OvsdbReplica(OvsdbSchema schema)
{
    private readonly object _gate = new();
    private Dictionary<string, Dictionary<Guid, OvsdbRow>> _tables = new(StringComparer.Ordinal);
    private long _version;

    public OvsdbSchema Schema { get; } = schema;

    /// <summary>Number of batches applied; grows with every update and every resync.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>Number of full resyncs (initial replies) applied.</summary>
    public int Resyncs { get; private set; }

    public event Action<OvsdbReplica>? Changed;

    public IReadOnlyList<OvsdbRow> Rows(string table)
    {
        lock (_gate) return _tables.TryGetValue(table, out var t) ? t.Values.ToArray() : [];
    }

    public OvsdbRow? Row(string table, Guid uuid)
    {
        lock (_gate) return _tables.TryGetValue(table, out var t) && t.TryGetValue(uuid, out var r) ? r : null;
    }

    /// <summary>Replaces everything with an initial reply (table-updates or table-updates2).</summary>
    public void Reset(JsonElement initial, bool update2)
    {
        lock (_gate)
        {
            _tables = new(StringComparer.Ordinal);
            ApplyLocked(initial, update2);
            Resyncs++;
        }
        Bump();
    }

    public void Apply(JsonElement tableUpdates, bool update2)
    {
        lock (_gate) ApplyLocked(tableUpdates, update2);
        Bump();
    }

    private void Bump()
    {
        Interlocked.Increment(ref _version);
        Changed?.Invoke(this);
    }

    private void ApplyLocked(JsonElement tableUpdates, bool update2)
    {
        if (tableUpdates.ValueKind != JsonValueKind.Object) return;
        foreach (var t in tableUpdates.EnumerateObject())
        {
            if (!_tables.TryGetValue(t.Name, out var rows)) _tables[t.Name] = rows = new();
            foreach (var r in t.Value.EnumerateObject())
            {
                var uuid = Guid.Parse(r.Name);
                if (update2) ApplyUpdate2(t.Name, rows, uuid, r.Value);
                else if (r.Value.TryGetProperty("new", out var n)) rows[uuid] = new OvsdbRow(uuid, ReadColumns(n));
                else rows.Remove(uuid);
            }
        }
    }

    private void ApplyUpdate2(string table, Dictionary<Guid, OvsdbRow> rows, Guid uuid, JsonElement u)
    {
        if (u.TryGetProperty("initial", out var init) || u.TryGetProperty("insert", out init)) rows[uuid] = new OvsdbRow(uuid, ReadColumns(init));
        else if (u.TryGetProperty("delete", out _)) rows.Remove(uuid);
        else if (u.TryGetProperty("modify", out var diff))
        {
            var cols = rows.TryGetValue(uuid, out var old) ? new Dictionary<string, OvsdbValue>(old.Columns) : new(StringComparer.Ordinal);
            foreach (var c in diff.EnumerateObject())
            {
                var d = OvsdbValueCodec.Read(c.Value);
                cols.TryGetValue(c.Name, out var cur);
                cols[c.Name] = Schema.KindOf(table, c.Name) switch
                {
                    ColumnKind.Set => DiffApply.Set(cur ?? OvsdbValue.EmptySet, d),
                    ColumnKind.Map => DiffApply.Map(cur ?? OvsdbValue.EmptySet, d),
                    _ => d,
                };
            }
            rows[uuid] = new OvsdbRow(uuid, cols);
        }
    }

    private static Dictionary<string, OvsdbValue> ReadColumns(JsonElement row)
    {
        var d = new Dictionary<string, OvsdbValue>(StringComparer.Ordinal);
        foreach (var p in row.EnumerateObject()) d[p.Name] = OvsdbValueCodec.Read(p.Value);
        return d;
    }
}
