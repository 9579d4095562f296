using System.Collections.Immutable;

namespace Infra.Controller.Domain.Model;

/// <summary>Validated labels: immutable, sorted by key so equal sets print and compare alike.</summary>
public sealed record Labels(ImmutableSortedDictionary<string, string> Items)
{
    public static Labels Empty { get; } = new(ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal));

    public bool Equals(Labels? other) =>
        other is not null && Items.Count == other.Items.Count
        && Items.All(kv => other.Items.TryGetValue(kv.Key, out var v) && v == kv.Value);

    public override int GetHashCode() => Items.Aggregate(Items.Count, (h, kv) => HashCode.Combine(h, kv.Key, kv.Value));

    public override string ToString() => "{" + string.Join(", ", Items.Select(kv => $"{kv.Key}={kv.Value}")) + "}";
}
