using Infra.Flows.Flows;

namespace Infra.Controller.Southbound.Desired;

/// <summary>
/// Host-local numbers the agent and the flows must agree on: OpenFlow port numbers, interface names,
/// conntrack zones. Ofports are sticky: a number once given to a port or peer (found in the last
/// desired state sent to the host, which the ledger keeps) stays with it while it exists, so
/// recomputes never renumber live ports and rewrite their flows; newcomers take the lowest free
/// number of their range, in id order, so a fresh computation is deterministic too.
/// </summary>
public static class LocalNumbering
{
    /// <summary>The agent's DHCP/RA responder port (infra-dhcp), one of the agent's own 1..99; never in a range below.</summary>
    public const int GuestServicesOfPort = 99;

    /// <summary>GRE ports to peer hosts: 100..999 (leaves 1..99 for the agent's own infrastructure ports).</summary>
    public const int TunnelFirst = 100, TunnelLast = 999;

    /// <summary>VM ports: 1000 up to the highest ofport_request OVS accepts (0xfeff).</summary>
    public const int VmPortFirst = 1000, VmPortLast = 0xfeff;

    /// <summary>Gives every id a number in [first, last]: kept from previous when valid and unclaimed, else the lowest free.</summary>
    public static Dictionary<string, int> Assign(IEnumerable<string> ids, IReadOnlyDictionary<string, int> previous, int first, int last)
    {
        var sorted = ids.Distinct(StringComparer.Ordinal).OrderBy(x => x, StringComparer.Ordinal).ToList();
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        var used = new HashSet<int>();
        foreach (var id in sorted)
            if (previous.TryGetValue(id, out var n) && n >= first && n <= last && used.Add(n)) result[id] = n;
        var next = first;
        foreach (var id in sorted)
        {
            if (result.ContainsKey(id)) continue;
            while (next <= last && used.Contains(next)) next++;
            if (next > last) throw new InvalidOperationException($"no free ofport left in {first}..{last} for {id}; the host has too many ports or peers");
            used.Add(next);
            result[id] = next;
        }
        return result;
    }

    /// <summary>
    /// "tap" + 12 hex digits of FNV-1a of (port id, instance id): 15 characters, the kernel's IFNAMSIZ
    /// limit. Per instance, not per port: a port handed to a new instance while the old one is still
    /// shutting down gets a fresh tap, and the old tap goes with the old qemu (the agent adopts the
    /// tap it finds by name, so the same pair must always give the same name).
    /// </summary>
    public static string InterfaceName(string portId, string instanceId) =>
        "tap" + (Cookies.Fnv1a(portId + "\0" + instanceId) & 0xFFFF_FFFF_FFFFUL).ToString("x12");

    /// <summary>
    /// Conntrack zone per tenant: the tunnel key itself when it fits 1..65535 (the common case, and
    /// then stable whatever else is on the host); larger keys probe from key mod 65535 + 1 to the next
    /// zone no other local tenant uses, in tunnel-key order.
    /// </summary>
    public static Dictionary<uint, ushort> CtZones(IEnumerable<uint> tunnelKeys)
    {
        var keys = tunnelKeys.Distinct().Order().ToList();
        var zones = new Dictionary<uint, ushort>();
        var used = new HashSet<ushort>();
        foreach (var k in keys.Where(k => k is >= 1 and <= 65535))
        {
            zones[k] = (ushort)k;
            used.Add((ushort)k);
        }
        foreach (var k in keys.Where(k => k > 65535))
        {
            var z = (int)(k % 65535) + 1;
            for (var tries = 0; tries < 65535 && used.Contains((ushort)z); tries++) z = z % 65535 + 1;
            zones[k] = (ushort)z;
            used.Add((ushort)z);
        }
        return zones;
    }
}
