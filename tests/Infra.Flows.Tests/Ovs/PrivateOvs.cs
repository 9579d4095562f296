using System.Diagnostics;

namespace Infra.Flows.Tests.Ovs;

/// <summary>
/// A throwaway Open vSwitch: its own ovsdb-server and ovs-vswitchd (userspace datapath) with all
/// sockets in a temp dir, vswitchd inside a fresh network namespace so the tap devices the netdev
/// datapath makes vanish with it. Dispose stops both daemons by PID and removes everything.
/// </summary>
public sealed class PrivateOvs : IDisposable
{
    private readonly List<string> _pidFiles = [];
    public string Dir { get; }
    public string Netns { get; }
    public string Bridge { get; } = "br-int";

    public PrivateOvs()
    {
        var id = Guid.NewGuid().ToString("N")[..10];
        Dir = Path.Combine(Path.GetTempPath(), "infra-flows-ovs-" + id);
        Netns = "iflows-" + id;
        Directory.CreateDirectory(Dir);
        try { Start(); }
        catch { Dispose(); throw; }
    }

    public string OpenFlowTarget => $"unix:{Path.Combine(Dir, Bridge + ".mgmt")}";

    private void Start()
    {
        Run("ovsdb-tool", $"create {Dir}/conf.db /usr/share/openvswitch/vswitch.ovsschema");
        _pidFiles.Add($"{Dir}/db.pid");
        Run("ovsdb-server", $"-vconsole:off --detach --no-chdir --pidfile={Dir}/db.pid --log-file={Dir}/db.log " +
            $"--remote=punix:{Dir}/db.sock --unixctl={Dir}/db.ctl {Dir}/conf.db");
        Run("ovs-vsctl", $"--db=unix:{Dir}/db.sock --no-wait init");
        Run("ip", $"netns add {Netns}");
        _pidFiles.Add($"{Dir}/vs.pid");
        // OVS_RUNDIR puts the bridge's OpenFlow socket (br-int.mgmt) in our dir.
        Run("ip", $"netns exec {Netns} env OVS_RUNDIR={Dir} ovs-vswitchd -vconsole:off --detach --no-chdir " +
            $"--pidfile={Dir}/vs.pid --log-file={Dir}/vs.log --unixctl={Dir}/vs.ctl unix:{Dir}/db.sock");
        // A pinned datapath id keeps the OpenFlow connection stable (see DESIGN.md).
        Run("ovs-vsctl", $"--db=unix:{Dir}/db.sock --timeout=20 add-br {Bridge} -- set bridge {Bridge} datapath_type=netdev " +
            "other-config:datapath-id=0000000000000001 fail-mode=secure");
    }

    /// <summary>Adds a port with a pinned ofport; taps live in our namespace and die with it.</summary>
    public void AddPort(string name, int ofport, string type, string options = "") =>
        Run("ovs-vsctl", $"--db=unix:{Dir}/db.sock --timeout=20 add-port {Bridge} {name} -- set interface {name} " +
            $"type={type} ofport_request={ofport} {options}");

    /// <summary>Installs a golden scenario's compiled flows as the agent does (one replace-flows bundle).</summary>
    public void InstallScenario(string scenario)
    {
        var file = Path.Combine(Dir, scenario + ".flows");
        File.WriteAllText(file, FlowCompiler.Compile(Golden.TestData.Load(scenario)).Render());
        var (code, _, err) = Exec("ovs-ofctl", $"-O OpenFlow15 --bundle replace-flows {OpenFlowTarget} {file}");
        if (code != 0) throw new InvalidOperationException($"ovs-ofctl rejected the {scenario} flows: {err}");
    }

    /// <summary>The last "Datapath actions:" line of an ofproto/trace: what the packet finally gets.</summary>
    public static string LastDatapathActions(string trace) =>
        trace.Split('\n').Last(l => l.StartsWith("Datapath actions:", StringComparison.Ordinal));

    /// <summary>ofproto/trace of a flow through the installed tables; ctNext gives ct_state after each recirculation.</summary>
    public string Trace(string flow, params string[] ctNext)
    {
        var args = $"-t {Dir}/vs.ctl ofproto/trace {Bridge} {flow}" + string.Concat(ctNext.Select(c => $" --ct-next {c}"));
        var (code, stdout, err) = Exec("ovs-appctl", args);
        if (code != 0) throw new InvalidOperationException($"ofproto/trace failed ({code}): {err}");
        return stdout;
    }

    public static (int Code, string Out, string Err) Exec(string file, string args, int timeoutMs = 30_000)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutMs))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {args} did not finish in {timeoutMs} ms");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    private static void Run(string file, string args)
    {
        var (code, _, err) = Exec(file, args);
        if (code != 0) throw new InvalidOperationException($"{file} {args} failed ({code}): {err}");
    }

    public void Dispose()
    {
        foreach (var pidFile in Enumerable.Reverse(_pidFiles))
        {
            try
            {
                if (!File.Exists(pidFile) || !int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid)) continue;
                using var p = Process.GetProcessById(pid);
                p.Kill();
                p.WaitForExit(5_000);
            }
            catch (ArgumentException) { /* already gone */ }
            catch (InvalidOperationException) { /* already gone */ }
        }
        try { Exec("ip", $"netns del {Netns}"); } catch { /* best effort: it may never have been made */ }
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
