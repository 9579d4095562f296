using Google.Protobuf;
using Infra.V1;

namespace Infra.Controller.Model.Store;

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

/// <summary>
/// The key segment of every kind under /infra/v1/, as constants so that switches over a parsed key can
/// name them. API kinds have an <see cref="ObjectKind{T}"/> in <see cref="Kinds"/>; the others are values
/// that live beside an object (an instance's reboot generation and user-data).
/// </summary>
public static class Segments
{
    public const string Tenants = "tenants";
    public const string Networks = "networks";
    public const string Policies = "policies";
    public const string Ports = "ports";
    public const string Instances = "instances";
    public const string Volumes = "volumes";
    public const string Snapshots = "snapshots";
    public const string Images = "images";
    public const string KeyPairs = "keypairs";
    public const string Hosts = "hosts";

    /// <summary>Not an API kind: "/infra/v1/reboots/&lt;instance&gt;" holds the instance's reboot generation
    /// (decimal text) that the API bumps on RebootInstance; VmSpec.reboot_generation carries it.</summary>
    public const string Reboots = "reboots";

    /// <summary>Not an API kind: "/infra/v1/user-data/&lt;instance&gt;" holds the instance's user-data
    /// bytes (written once, with the instance).</summary>
    public const string UserData = "user-data";
}

public static class Kinds
{
    public static readonly ObjectKind<Tenant> Tenant = new(Segments.Tenants, "Tenant", Infra.V1.Tenant.Parser, t => t.Meta, t => t.Meta.Id, ResourceKind.Tenant);
    public static readonly ObjectKind<Network> Network = new(Segments.Networks, "Network", Infra.V1.Network.Parser, n => n.Meta, n => n.TenantId, ResourceKind.Network);
    public static readonly ObjectKind<Policy> Policy = new(Segments.Policies, "Policy", Infra.V1.Policy.Parser, p => p.Meta, p => p.TenantId, ResourceKind.Policy);
    public static readonly ObjectKind<Port> Port = new(Segments.Ports, "Port", Infra.V1.Port.Parser, p => p.Meta, p => p.TenantId, ResourceKind.Port);
    public static readonly ObjectKind<Instance> Instance = new(Segments.Instances, "Instance", Infra.V1.Instance.Parser, i => i.Meta, i => i.TenantId, ResourceKind.Instance);
    public static readonly ObjectKind<Volume> Volume = new(Segments.Volumes, "Volume", Infra.V1.Volume.Parser, v => v.Meta, v => v.TenantId, ResourceKind.Volume);
    public static readonly ObjectKind<Snapshot> Snapshot = new(Segments.Snapshots, "Snapshot", Infra.V1.Snapshot.Parser, s => s.Meta, s => s.TenantId, ResourceKind.Snapshot);
    public static readonly ObjectKind<Image> Image = new(Segments.Images, "Image", Infra.V1.Image.Parser, i => i.Meta, i => i.TenantId, ResourceKind.Image);
    public static readonly ObjectKind<KeyPair> KeyPair = new(Segments.KeyPairs, "KeyPair", Infra.V1.KeyPair.Parser, k => k.Meta, k => k.TenantId, ResourceKind.KeyPair);
    public static readonly ObjectKind<Host> Host = new(Segments.Hosts, "Host", Infra.V1.Host.Parser, h => h.Meta, _ => "", ResourceKind.Host);

    /// <summary>Kind of a stored key by its segment, for the watch stream.</summary>
    public static readonly IReadOnlyDictionary<string, ResourceKind> BySegment = new Dictionary<string, ResourceKind>
    {
        [Segments.Tenants] = ResourceKind.Tenant, [Segments.Networks] = ResourceKind.Network, [Segments.Policies] = ResourceKind.Policy,
        [Segments.Ports] = ResourceKind.Port, [Segments.Instances] = ResourceKind.Instance, [Segments.Volumes] = ResourceKind.Volume,
        [Segments.Snapshots] = ResourceKind.Snapshot, [Segments.Images] = ResourceKind.Image, [Segments.Hosts] = ResourceKind.Host,
        [Segments.KeyPairs] = ResourceKind.KeyPair,
    };
}
