using System.Globalization;

namespace Infra.Ovsdb.Values;

/// <summary>
/// An OVSDB datum (RFC 7047 section 5.1): an atom, a set of atoms or a map of atom pairs.
/// A set with exactly one element travels on the wire as a bare atom, so a reader cannot tell
/// "atom" from "set of one" without the schema; <see cref="Atoms"/> and <see cref="Pairs"/>
/// give every datum a uniform view so callers never have to care.
/// </summary>
public abstract record OvsdbValue
{
    /// <summary>The datum as a set: an atom is a set of one, a map yields nothing.</summary>
    public abstract IReadOnlyList<OvsdbAtom> Atoms { get; }

    /// <summary>The datum as a map: an empty set is an empty map, anything else yields nothing.</summary>
    public virtual IReadOnlyList<KeyValuePair<OvsdbAtom, OvsdbAtom>> Pairs => [];

    public static readonly OvsdbSet EmptySet = new([]);

    public static OvsdbString Of(string s) => new(s);
    public static OvsdbInteger Of(long v) => new(v);
    public static OvsdbBoolean Of(bool v) => new(v);
    public static OvsdbUuid Of(Guid v) => new(v);

    public static OvsdbSet SetOf(params OvsdbAtom[] atoms) => new(atoms);

    public static OvsdbMap MapOf(IEnumerable<KeyValuePair<string, string>> pairs) =>
        new(pairs.OrderBy(p => p.Key, StringComparer.Ordinal)
                 .Select(p => new KeyValuePair<OvsdbAtom, OvsdbAtom>(new OvsdbString(p.Key), new OvsdbString(p.Value)))
                 .ToArray());

    /// <summary>A string-to-string map column (external_ids, options, other_config) as a dictionary.</summary>
    public IReadOnlyDictionary<string, string> ToStringMap()
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in Pairs) d[k.ToText()] = v.ToText();
        return d;
    }
}

/// <summary>A scalar: string, integer, real, boolean, uuid or named-uuid.</summary>
public abstract record OvsdbAtom : OvsdbValue
{
    public override IReadOnlyList<OvsdbAtom> Atoms => [this];
    public abstract string ToText();
}

public sealed record OvsdbString(string Value) : OvsdbAtom { public override string ToText() => Value; }
public sealed record OvsdbInteger(long Value) : OvsdbAtom { public override string ToText() => Value.ToString(CultureInfo.InvariantCulture); }
public sealed record OvsdbReal(double Value) : OvsdbAtom { public override string ToText() => Value.ToString("R", CultureInfo.InvariantCulture); }
public sealed record OvsdbBoolean(bool Value) : OvsdbAtom { public override string ToText() => Value ? "true" : "false"; }
public sealed record OvsdbUuid(Guid Value) : OvsdbAtom { public override string ToText() => Value.ToString("D"); }

/// <summary>A reference to a row inserted earlier in the same transaction (uuid-name).</summary>
public sealed record OvsdbNamedUuid(string Name) : OvsdbAtom { public override string ToText() => Name; }

/// <summary>A set of atoms. Equality ignores order, as sets do.</summary>
public sealed record OvsdbSet(IReadOnlyList<OvsdbAtom> Items) : OvsdbValue
{
    public override IReadOnlyList<OvsdbAtom> Atoms => Items;
    public override IReadOnlyList<KeyValuePair<OvsdbAtom, OvsdbAtom>> Pairs => [];

    public bool Equals(OvsdbSet? other) =>
        other is not null && Items.Count == other.Items.Count && new HashSet<OvsdbAtom>(Items).SetEquals(other.Items);

    public override int GetHashCode() => Items.Aggregate(Items.Count, (h, a) => h ^ a.GetHashCode());
}

/// <summary>A map of atom pairs. Equality ignores order.</summary>
public sealed record OvsdbMap(IReadOnlyList<KeyValuePair<OvsdbAtom, OvsdbAtom>> Items) : OvsdbValue
{
    public override IReadOnlyList<OvsdbAtom> Atoms => [];
    public override IReadOnlyList<KeyValuePair<OvsdbAtom, OvsdbAtom>> Pairs => Items;

    public bool Equals(OvsdbMap? other) =>
        other is not null && Items.Count == other.Items.Count && new HashSet<KeyValuePair<OvsdbAtom, OvsdbAtom>>(Items).SetEquals(other.Items);

    public override int GetHashCode() => Items.Aggregate(Items.Count, (h, p) => h ^ p.Key.GetHashCode() ^ (p.Value.GetHashCode() * 31));
}
