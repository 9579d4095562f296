using Infra.Agent.Compute.Cgroups;
using Infra.Agent.Compute.Model;
using Infra.Processes;

namespace Infra.Agent.Compute.Runners;

/// <summary>
/// Runs qemu without systemd: for hosts (and CI) where systemd is not PID 1.
///
/// qemu must survive the agent's death, SIGKILL included, so it is never the agent's child:
/// <c>setsid --fork</c> (Infra.Processes' <see cref="Setsid"/>) starts a small supervising shell in a new session, re-parented to init.
/// The shell joins the VM's cgroup (so qemu is born inside its limits, with no window outside
/// them), sends its stdio to qemu.log, runs qemu in the foreground and, when qemu exits, writes
/// qemu's exit status to the VM's exit-status file. A restarted agent finds a running qemu through
/// its pidfile, and a dead one's exit status in that file, even if the agent was away when it died.
/// </summary>
public sealed class SupervisedChildRunner(CgroupTree cgroups, TimeProvider time, TimeSpan? startTimeout = null) : IVmRunner
{
    private readonly TimeSpan _startTimeout = startTimeout ?? TimeSpan.FromSeconds(30);

    // $1: exit-status file, $2: log, $3: number of cgroup.procs files, then those files, then qemu's argv.
    // The status is written through a temporary file and rename so a reader never sees half of it.
    internal const string SupervisorScript = """
        status=$1; log=$2; n=$3; shift 3
        exec </dev/null >>"$log" 2>&1
        while [ "$n" -gt 0 ]; do
          if ! echo $$ > "$1"; then echo "infra: cannot join cgroup $1"; echo 97 > "$status.tmp"; mv "$status.tmp" "$status"; exit 97; fi
          shift; n=$((n-1))
        done
        "$@"
        rc=$?
        echo $rc > "$status.tmp"; mv "$status.tmp" "$status"
        exit $rc
        """;

    /// <inheritdoc/>
    public async Task<int> StartAsync(VmDefinition vm, IReadOnlyList<string> argv, VmResources resources, VmPaths paths, CancellationToken ct)
    {
        Directory.CreateDirectory(paths.Directory);
        foreach (var stale in new[] { paths.PidFile, paths.ExitStatusFile, paths.ExitStatusFile + ".tmp" }) File.Delete(stale);

        var cgroup = cgroups.For(vm.Id);
        try
        {
            cgroup.Create();
            cgroup.Apply(resources);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VmStartException($"VM {vm.Id}: cannot set up its cgroup ({e.Message}); the agent must run as root with the cpu and memory controllers available", e);
        }

        // The one detached launch (Infra.Processes.Setsid); it returns once the supervisor is forked.
        await Setsid.RunDetachedAsync(SupervisorScript, $"infra-vm-{vm.Id}",
            [paths.ExitStatusFile, paths.StdioLog, cgroup.ProcsFiles.Count.ToString(), .. cgroup.ProcsFiles, .. argv], ct);

        var deadline = time.GetUtcNow() + _startTimeout;
        while (true)
        {
            if (ProcessInspector.ReadPidFile(paths.PidFile) is { } pid && ProcessInspector.IsAlive(pid)) return pid;
            if (ReadExit(paths) is { } exit)
            {
                cgroup.Remove();
                throw new VmStartException($"VM {vm.Id}: qemu {exit} at start: {LogTail.Read(paths.StdioLog, 5)}");
            }
            if (time.GetUtcNow() > deadline)
                throw new VmStartException($"VM {vm.Id}: qemu wrote no pidfile within {_startTimeout.TotalSeconds:0} s; see {paths.StdioLog}");
            await Task.Delay(ProcessInspector.StartPoll, time, ct);
        }
    }

    /// <inheritdoc/>
    public Task<ProcessObservation> ObserveAsync(string vmId, VmPaths paths, CancellationToken ct)
    {
        if (ProcessInspector.ReadPidFile(paths.PidFile) is { } pid && ProcessInspector.IsAlive(pid)
            && ProcessInspector.IsQemuFor(ProcessInspector.CommandLine(pid), vmId, paths.QmpSocket))
            return Task.FromResult(ProcessObservation.Alive(pid));
        return Task.FromResult(ProcessObservation.Gone(ReadExit(paths)));
    }

    /// <inheritdoc/>
    public Task SetResourcesAsync(string vmId, VmResources resources, CancellationToken ct)
    {
        cgroups.For(vmId).Apply(resources);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task KillAsync(string vmId, VmPaths paths, CancellationToken ct)
    {
        if (ProcessInspector.ReadPidFile(paths.PidFile) is { } pid
            && ProcessInspector.IsQemuFor(ProcessInspector.CommandLine(pid), vmId, paths.QmpSocket))
            ProcessInspector.Signal(pid, 9);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task ReleaseAsync(string vmId, CancellationToken ct)
    {
        // The supervising shell leaves the cgroup a moment after qemu; give it a bounded while.
        var cgroup = cgroups.For(vmId);
        for (var i = 0; i < 100 && !cgroup.Remove(); i++) await Task.Delay(TimeSpan.FromMilliseconds(20), time, ct);
    }

    /// <summary>The cgroup of a VM (tests check membership and quota through it).</summary>
    public IVmCgroup CgroupOf(string vmId) => cgroups.For(vmId);

    private static ProcessExit? ReadExit(VmPaths paths)
    {
        try { return int.TryParse(File.ReadAllText(paths.ExitStatusFile).Trim(), out var s) ? ProcessExit.FromShellStatus(s) : null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
