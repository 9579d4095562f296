using Infra.Controller.Api.Plumbing;
using Infra.Controller.Model.Store;
using Infra.Store;
using Infra.V1;
using StoreEvent = Infra.Store.WatchEvent;
using WireEvent = Infra.V1.WatchEvent;
using EventType = Infra.V1.EventType;

namespace Infra.Controller.Api.Watch;

/// <summary>
/// Store key-values to WatchEvents. Only object keys (/infra/v1/&lt;kind&gt;/&lt;id&gt;) become events;
/// the index keys written in the same transactions are skipped. A filter keeps the kinds asked for
/// and, with a tenant, that tenant's objects plus public images.
/// </summary>
public sealed class WatchEventMapper(IReadOnlySet<ResourceKind> kinds, string? tenantId)
{
    public static (string Segment, string Id)? ObjectKey(string key)
    {
        if (!key.StartsWith(StoreLayout.Root, StringComparison.Ordinal)) return null;
        var rest = key.AsSpan(StoreLayout.Root.Length);
        var slash = rest.IndexOf('/');
        if (slash <= 0 || rest[(slash + 1)..].Contains('/') || slash == rest.Length - 1) return null;
        var segment = rest[..slash].ToString();
        return Kinds.BySegment.ContainsKey(segment) ? (segment, rest[(slash + 1)..].ToString()) : null;
    }

    /// <summary>The event for one stored object at <paramref name="revision"/>, or null when filtered out.</summary>
    public WireEvent? Map(KeyValue kv, EventType type, long revision)
    {
        if (ObjectKey(kv.KeyString) is not { } key) return null;
        var kind = Kinds.BySegment[key.Segment];
        if (kinds.Count > 0 && !kinds.Contains(kind)) return null;
        var ev = new WireEvent { Revision = revision, Type = type };
        string owner;
        switch (kind)
        {
            case ResourceKind.Tenant: ev.Tenant = ObjectStore.Decode(Kinds.Tenant, kv); owner = ev.Tenant.Meta.Id; break;
            case ResourceKind.Network: ev.Network = ObjectStore.Decode(Kinds.Network, kv); owner = ev.Network.TenantId; break;
            case ResourceKind.Policy: ev.Policy = ObjectStore.Decode(Kinds.Policy, kv); owner = ev.Policy.TenantId; break;
            case ResourceKind.Port: ev.Port = ObjectStore.Decode(Kinds.Port, kv); owner = ev.Port.TenantId; break;
            case ResourceKind.Instance: ev.Instance = ObjectStore.Decode(Kinds.Instance, kv); owner = ev.Instance.TenantId; break;
            case ResourceKind.Volume: ev.Volume = ObjectStore.Decode(Kinds.Volume, kv); owner = ev.Volume.TenantId; break;
            case ResourceKind.Snapshot: ev.Snapshot = ObjectStore.Decode(Kinds.Snapshot, kv); owner = ev.Snapshot.TenantId; break;
            case ResourceKind.Image: ev.Image = ObjectStore.Decode(Kinds.Image, kv); owner = ev.Image.TenantId.Length == 0 ? tenantId ?? "" : ev.Image.TenantId; break;
            case ResourceKind.KeyPair: ev.KeyPair = ObjectStore.Decode(Kinds.KeyPair, kv); owner = ev.KeyPair.TenantId; break;
            case ResourceKind.Host: ev.Host = ObjectStore.Decode(Kinds.Host, kv); owner = ""; break;
            default: return null;
        }
        if (tenantId is not null && owner != tenantId) return null;
        return ev;
    }

    public WireEvent? Map(StoreEvent e) => e.Type == Infra.Store.EventType.Delete
        ? e.PrevKv is { } prev ? Map(prev with { ModRevision = e.Kv.ModRevision }, EventType.Deleted, e.Kv.ModRevision) : null
        : Map(e.Kv, e.Kv.Version == 1 ? EventType.Created : EventType.Updated, e.Kv.ModRevision);
}
