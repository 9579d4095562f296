using System.Globalization;
using Infra.V1;

namespace Infra.Agent.Core.State;

/// <summary>Names one desired object: its kind and id (flow groups by their cookie in lower-case hex, no prefix).</summary>
public readonly record struct ResourceKey(DesiredKind Kind, string Id) : IComparable<ResourceKey>
{
    /// <summary>The key of a desired object.</summary>
    public static ResourceKey Of(Resource r) => r.KindCase switch
    {
        Resource.KindOneofCase.Vm => new(DesiredKind.Vm, r.Vm.Id),
        Resource.KindOneofCase.Volume => new(DesiredKind.Volume, r.Volume.Id),
        Resource.KindOneofCase.Port => new(DesiredKind.Port, r.Port.Id),
        Resource.KindOneofCase.Tunnel => new(DesiredKind.Tunnel, r.Tunnel.HostId),
        Resource.KindOneofCase.FlowGroup => new(DesiredKind.FlowGroup, CookieId(r.FlowGroup.Cookie)),
        _ => new(DesiredKind.Unspecified, ""),
    };

    /// <summary>The key a removal names; flow group cookies are normalised ("0x00AB" and "ab" are one group).</summary>
    public static ResourceKey Of(ResourceRef r) =>
        r.Kind == DesiredKind.FlowGroup && TryParseCookie(r.Id, out var c) ? new(r.Kind, CookieId(c)) : new(r.Kind, r.Id);

    /// <summary>The wire form back.</summary>
    public ResourceRef ToRef() => new() { Kind = Kind, Id = Id };

    /// <summary>A cookie as a flow group id.</summary>
    public static string CookieId(ulong cookie) => cookie.ToString("x", CultureInfo.InvariantCulture);

    private static bool TryParseCookie(string id, out ulong cookie)
    {
        var s = id.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? id[2..] : id;
        return ulong.TryParse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out cookie);
    }

    /// <inheritdoc/>
    public int CompareTo(ResourceKey other) =>
        Kind != other.Kind ? Kind.CompareTo(other.Kind) : string.CompareOrdinal(Id, other.Id);

    /// <inheritdoc/>
    public override string ToString() => $"{Kind}/{Id}";
}
