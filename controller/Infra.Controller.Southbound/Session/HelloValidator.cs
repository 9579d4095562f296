using System.Net;
using System.Text.RegularExpressions;
using Infra.V1;

namespace Infra.Controller.Southbound.Session;

/// <summary>
/// Parse at the edge: a Hello is checked completely before anything is written, and every problem
/// is reported at once, phrased as what the agent's operator has to fix.
/// </summary>
public static partial class HelloValidator
{
    /// <summary>Host ids are DNS labels: they become store keys, unit names and log fields.</summary>
    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial Regex HostIdPattern();

    public static IReadOnlyList<string> Validate(Hello? hello)
    {
        var e = new List<string>();
        if (hello is null) return ["the first message of a session must be Hello"];
        if (!HostIdPattern().IsMatch(hello.HostId))
            e.Add($"host_id '{hello.HostId}' is not a DNS label (1-63 of a-z, 0-9 and '-', not starting or ending with '-'); set host_id in the agent config");
        var inv = hello.Inventory;
        if (inv is null) { e.Add("inventory is missing"); return e; }
        if (inv.Cores == 0) e.Add("inventory.cores is 0; the agent must report the host's CPU cores");
        if (inv.MhzPerCore == 0) e.Add("inventory.mhz_per_core is 0; the agent must report the CPU frequency");
        if (inv.MemoryMib == 0) e.Add("inventory.memory_mib is 0; the agent must report the host's memory");
        if (!IPAddress.TryParse(inv.TunnelIp, out _))
            e.Add($"inventory.tunnel_ip '{inv.TunnelIp}' is not an IP address; set the underlay address GRE tunnels should use");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in inv.StoragePools)
        {
            if (string.IsNullOrEmpty(p.Name)) e.Add("a storage pool has no name");
            else if (!names.Add(p.Name)) e.Add($"storage pool '{p.Name}' is listed twice");
            if (p.FreeBytes > p.CapacityBytes) e.Add($"storage pool '{p.Name}' reports more free bytes ({p.FreeBytes}) than capacity ({p.CapacityBytes})");
        }
        return e;
    }
}
