using Infra.Ovsdb.Values;

namespace Infra.Ovsdb.Monitor;

/// <summary>
/// update2 "modify" semantics (ovsdb-server(7), update2 notification): a set column receives the
/// symmetric difference, a map column receives pairs to add (new key), delete (same key and value)
/// or change (same key, other value).
/// </summary>
public static class DiffApply
{
    public static OvsdbValue Set(OvsdbValue current, OvsdbValue diff)
    {
        var items = current.Atoms.ToList();
        foreach (var a in diff.Atoms)
            if (!items.Remove(a)) items.Add(a);
        return new OvsdbSet(items);
    }

    public static OvsdbValue Map(OvsdbValue current, OvsdbValue diff)
    {
        var pairs = current.Pairs.ToList();
        foreach (var (k, v) in diff.Pairs)
        {
            var i = pairs.FindIndex(p => p.Key.Equals(k));
            if (i < 0) pairs.Add(new(k, v));
            else if (pairs[i].Value.Equals(v)) pairs.RemoveAt(i);
            else pairs[i] = new(k, v);
        }
        return new OvsdbMap(pairs);
    }
}
