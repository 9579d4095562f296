using Google.Protobuf;
using Infra.V1;

namespace Infra.Controller.Api.Plumbing;

/// <summary>
/// How one stored kind is read and written: its key segment (/infra/v1/&lt;kind&gt;/&lt;id&gt;), its
/// message parser, where its ObjectMeta is, and which tenant owns an object (empty: none).
/// </summary>
public sealed record ObjectKind<T>(string Segment, string Noun, MessageParser<T> Parser,
    Func<T, ObjectMeta> Meta, Func<T, string> Tenant, ResourceKind Wire) where T : IMessage<T>
{
    public string Prefix => StoreLayout.Root + Segment + "/";
    public string Key(string id) => Prefix + id;
}

public static class Kinds
{
    public static readonly ObjectKind<Tenant> Tenant = new("tenants", "Tenant", Infra.V1.Tenant.Parser, t => t.Meta, t => t.Meta.Id, ResourceKind.Tenant);
    public static readonly ObjectKind<Network> Network = new("networks", "Network", Infra.V1.Network.Parser, n => n.Meta, n => n.TenantId, ResourceKind.Network);
    public static readonly ObjectKind<Policy> Policy = new("policies", "Policy", Infra.V1.Policy.Parser, p => p.Meta, p => p.TenantId, ResourceKind.Policy);
    public static readonly ObjectKind<Port> Port = new("ports", "Port", Infra.V1.Port.Parser, p => p.Meta, p => p.TenantId, ResourceKind.Port);
    public static readonly ObjectKind<Instance> Instance = new("instances", "Instance", Infra.V1.Instance.Parser, i => i.Meta, i => i.TenantId, ResourceKind.Instance);
    public static readonly ObjectKind<Volume> Volume = new("volumes", "Volume", Infra.V1.Volume.Parser, v => v.Meta, v => v.TenantId, ResourceKind.Volume);
    public static readonly ObjectKind<Snapshot> Snapshot = new("snapshots", "Snapshot", Infra.V1.Snapshot.Parser, s => s.Meta, s => s.TenantId, ResourceKind.Snapshot);
    public static readonly ObjectKind<Image> Image = new("images", "Image", Infra.V1.Image.Parser, i => i.Meta, i => i.TenantId, ResourceKind.Image);
    public static readonly ObjectKind<KeyPair> KeyPair = new("keypairs", "KeyPair", Infra.V1.KeyPair.Parser, k => k.Meta, k => k.TenantId, ResourceKind.KeyPair);
    public static readonly ObjectKind<Host> Host = new("hosts", "Host", Infra.V1.Host.Parser, h => h.Meta, _ => "", ResourceKind.Host);

    /// <summary>Kind of a stored key by its segment, for the watch stream.</summary>
    public static readonly IReadOnlyDictionary<string, ResourceKind> BySegment = new Dictionary<string, ResourceKind>
    {
        ["tenants"] = ResourceKind.Tenant, ["networks"] = ResourceKind.Network, ["policies"] = ResourceKind.Policy,
        ["ports"] = ResourceKind.Port, ["instances"] = ResourceKind.Instance, ["volumes"] = ResourceKind.Volume,
        ["snapshots"] = ResourceKind.Snapshot, ["images"] = ResourceKind.Image, ["hosts"] = ResourceKind.Host,
        ["keypairs"] = ResourceKind.KeyPair,
    };
}
