using Infra.Systemd.Manager;
using Infra.Systemd.Tests.Fixtures;

namespace Infra.Agent.Systemd.Tests.Fixture;

// What the tests observe, the way an operator would: systemctl inside the root, and the kernel's own
// view (cgroup files, /proc) from the host.
public sealed partial class AgentServiceRoot
{
    /// <summary>Where a path of the root is on the host.</summary>
    public string HostPath(string pathInRoot) => Root.RootPath + pathInRoot;

    /// <summary>systemctl inside the root; fails with its stderr on a non-zero exit.</summary>
    public string Systemctl(params string[] args) => Root.Exec(["systemctl", .. args]);

    /// <summary>One property as `systemctl show -p NAME --value` prints it.</summary>
    public string Show(string unit, string property) => Systemctl("show", "-p", property, "--value", unit).Trim();

    /// <summary>A numeric property of a service unit, raw over D-Bus (systemctl would print "30s", "128M").</summary>
    public long ShowNumber(string unit, string property) => Task.Run(async () =>
    {
        var path = await Systemd.GetUnitAsync(unit);
        return Convert.ToInt64(await Systemd.GetPropertyAsync(path, SystemdManager.ServiceInterface, property));
    }).GetAwaiter().GetResult();

    /// <summary>Loaded units matching the patterns, in any state.</summary>
    public IReadOnlyList<string> ListUnits(params string[] patterns) =>
        Systemctl(["list-units", "--all", "--plain", "--no-legend", "--no-pager", .. patterns])
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim().Split(' ')[0]).Where(u => u.Length > 0).ToList();

    /// <summary>The last lines of a unit's journal, for failure messages.</summary>
    public string Journal(string unit, int lines = 80)
    {
        try { return Root.Exec("journalctl", "--no-pager", "-o", "short-monotonic", "-n", lines.ToString(), "-u", unit); }
        catch (Exception e) { return $"(journalctl failed: {e.Message})"; }
    }

    /// <summary>
    /// The journal entries of one run of a unit (its InvocationID: the service's own lines carry it as
    /// _SYSTEMD_INVOCATION_ID, systemd's lines about the unit as INVOCATION_ID), as journald stored
    /// them: MESSAGE, PRIORITY and the other fields of `journalctl -o json`.
    /// </summary>
    public IReadOnlyList<System.Text.Json.JsonElement> JournalOfRun(string unit, string invocationId) =>
        Root.Exec("journalctl", "--no-pager", "-o", "json", "-u", unit).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.Clone())
            .Where(e => Field(e, "_SYSTEMD_INVOCATION_ID") == invocationId || Field(e, "INVOCATION_ID") == invocationId).ToList();

    /// <summary>A journal field as text (journald stores non-UTF-8 values as byte arrays: those are decoded).</summary>
    public static string? Field(System.Text.Json.JsonElement entry, string name) =>
        !entry.TryGetProperty(name, out var v) ? null
        : v.ValueKind == System.Text.Json.JsonValueKind.Array ? System.Text.Encoding.UTF8.GetString(v.EnumerateArray().Select(b => (byte)b.GetInt32()).ToArray())
        : v.GetString();

    /// <summary>A unit's cgroup directory on the host, in the hierarchy of <paramref name="controller"/>.</summary>
    public string CgroupDir(string unit, string controller) => Root.HostCgroupPath(controller, Show(unit, "ControlGroup"));

    /// <summary>The host PIDs in a unit's cgroup (systemd's named hierarchy holds every unit's processes).</summary>
    public IReadOnlyList<int> HostPids(string unit)
    {
        var cg = Show(unit, "ControlGroup");
        if (cg.Length == 0) return [];
        var procs = Path.Combine(Root.HostCgroupPath("systemd", cg), "cgroup.procs");
        return File.Exists(procs) ? File.ReadAllLines(procs).Where(l => l.Length > 0).Select(int.Parse).ToList() : [];
    }

    /// <summary>The one process of a single-process unit (qemu, a storage daemon), as a host PID.</summary>
    public int SingleHostPid(string unit)
    {
        var pids = HostPids(unit);
        return pids.Count == 1 ? pids[0] : throw new InvalidOperationException(
            $"{unit} has {pids.Count} processes, expected one: {string.Join("; ", pids.Select(p => $"{p}: {string.Join(' ', TryCommandLine(p))}"))}");
    }

    /// <summary>
    /// The host PID of a unit's MainPID (which systemd reports in the root's PID namespace): the
    /// process of the unit's cgroup whose innermost NSpid is that PID. The agent's cgroup may briefly
    /// hold a child (a probe) next to the main process.
    /// </summary>
    public int MainHostPid(string unit)
    {
        var main = ShowNumber(unit, "MainPID");
        foreach (var pid in HostPids(unit))
        {
            try
            {
                var nspid = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("NSpid:", StringComparison.Ordinal));
                if (long.Parse(nspid.Split('\t', ' ').Last(f => f.Length > 0)) == main) return pid;
            }
            catch (IOException) { }
        }
        throw new InvalidOperationException($"{unit}'s MainPID {main} is not among its processes {string.Join(",", HostPids(unit))}");
    }

    /// <summary>argv of a host process.</summary>
    public static string[] CommandLine(int hostPid) =>
        File.ReadAllText($"/proc/{hostPid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);

    private static string[] TryCommandLine(int hostPid)
    {
        try { return CommandLine(hostPid); } catch (IOException) { return ["(gone)"]; }
    }

    /// <summary>Field 22 of /proc/pid/stat: when the process started (a new process with a reused PID differs).</summary>
    public static string StartTime(int hostPid) => Infra.Agent.Compute.Runners.ProcessInspector.StartTime(hostPid);

    public static bool IsAlive(int hostPid)
    {
        try { return !File.ReadAllText($"/proc/{hostPid}/stat").Split(") ")[1].StartsWith('Z'); }
        catch (IOException) { return false; }
    }

    /// <summary>Polls <paramref name="condition"/> (bounded) and fails with <paramref name="diagnose"/>'s text.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what, Func<string>? diagnose = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"not within {timeout.TotalSeconds} s: {what}. {diagnose?.Invoke()}");
            await Task.Delay(50);
        }
    }
}
