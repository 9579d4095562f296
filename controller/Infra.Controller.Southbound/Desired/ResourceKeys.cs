using Infra.V1;

namespace Infra.Controller.Southbound.Desired;

/// <summary>Identity of a desired resource: the agent's ResourceRef as a dictionary key.</summary>
public readonly record struct ResourceKey(DesiredKind Kind, string Id)
{
    public ResourceRef ToRef() => new() { Kind = Kind, Id = Id };

    public static ResourceKey From(ResourceRef r) => new(r.Kind, r.Id);

    /// <summary>Flow groups are named by their cookie in 16 lower-case hex digits, no prefix.</summary>
    public static string CookieId(ulong cookie) => cookie.ToString("x16");

    public static ResourceKey Of(Resource r) => r.KindCase switch
    {
        Resource.KindOneofCase.Vm => new(DesiredKind.Vm, r.Vm.Id),
        Resource.KindOneofCase.Volume => new(DesiredKind.Volume, r.Volume.Id),
        Resource.KindOneofCase.Port => new(DesiredKind.Port, r.Port.Id),
        Resource.KindOneofCase.Tunnel => new(DesiredKind.Tunnel, r.Tunnel.HostId),
        Resource.KindOneofCase.FlowGroup => new(DesiredKind.FlowGroup, CookieId(r.FlowGroup.Cookie)),
        _ => throw new ArgumentException("resource has no kind set", nameof(r)),
    };
}

/// <summary>A host's complete desired resources, keyed by identity.</summary>
public sealed class HostResources
{
    readonly SortedDictionary<ResourceKey, Resource> _items = new(KeyOrder.Instance);

    public HostResources() { }

    public HostResources(IEnumerable<Resource> items)
    {
        foreach (var r in items) Add(r);
    }

    public IReadOnlyDictionary<ResourceKey, Resource> Items => _items;
    public int Count => _items.Count;

    public void Add(Resource r) => _items[ResourceKey.Of(r)] = r;

    public IEnumerable<Resource> OfKind(DesiredKind kind) => _items.Where(kv => kv.Key.Kind == kind).Select(kv => kv.Value);

    /// <summary>Deterministic order (kind, then id) so that messages and tests never depend on insertion order.</summary>
    sealed class KeyOrder : IComparer<ResourceKey>
    {
        public static readonly KeyOrder Instance = new();
        public int Compare(ResourceKey a, ResourceKey b)
        {
            var c = a.Kind.CompareTo(b.Kind);
            return c != 0 ? c : string.CompareOrdinal(a.Id, b.Id);
        }
    }
}
