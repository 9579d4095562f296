using Infra.Ovsdb.Values;

namespace Infra.Ovsdb.Monitor;

/// <summary>
/// An immutable snapshot of one replicated row. update2 omits columns that hold their default, so a
/// missing column reads as the empty set, which every accessor treats as "default".
/// </summary>
public sealed record OvsdbRow(Guid Uuid, IReadOnlyDictionary<string, OvsdbValue> Columns)
{
    public OvsdbValue this[string column] => Columns.TryGetValue(column, out var v) ? v : OvsdbValue.EmptySet;

    public string? GetString(string column) => this[column].Atoms is [OvsdbString s] ? s.Value : null;
    public long? GetInteger(string column) => this[column].Atoms is [OvsdbInteger i] ? i.Value : null;
    public bool? GetBoolean(string column) => this[column].Atoms is [OvsdbBoolean b] ? b.Value : null;
    public IReadOnlyDictionary<string, string> GetMap(string column) => this[column].ToStringMap();
    public IReadOnlyList<Guid> GetUuids(string column) => this[column].Atoms.OfType<OvsdbUuid>().Select(u => u.Value).ToArray();
}
