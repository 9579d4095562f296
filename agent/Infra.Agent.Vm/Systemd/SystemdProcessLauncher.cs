using Infra.Agent.Storage.Processes;
using Infra.Processes;
using Infra.Systemd.Manager;
using SdProperty = Infra.Systemd.Units.UnitProperty;

namespace Infra.Agent.Vm.Systemd;

/// <summary>
/// Starts each storage daemon as a transient unit of its own (&lt;name&gt;.service in
/// infra-vms.slice, next to the VMs it serves), so a daemon outlives an agent restart or crash
/// exactly like the VM does, and systemd owns its process and cgroup. stdout/stderr go to a log
/// file per daemon (<see cref="SystemdLauncherOptions.LogDirectory"/>) so start errors can be quoted.
/// </summary>
public sealed class SystemdProcessLauncher(SystemdManager systemd, SystemdLauncherOptions? options = null) : IProcessLauncher
{
    private readonly SystemdLauncherOptions _o = options ?? new SystemdLauncherOptions();

    /// <summary>The unit name for a process spec name.</summary>
    public static string UnitName(string name) => name.EndsWith(".service", StringComparison.Ordinal) ? name : name + ".service";

    /// <inheritdoc/>
    public async Task<IManagedProcess> StartAsync(ProcessSpec spec, CancellationToken ct = default)
    {
        var unit = UnitName(spec.Name);
        var units = new SystemdUnitManager(systemd, _o.JobTimeout);
        if (await units.GetUnitStateAsync(unit, ct).ConfigureAwait(false) is { ActiveState: "failed" })
            await units.ResetFailedUnitAsync(unit, ct).ConfigureAwait(false);
        var binary = ResolveBinary(spec.FileName);
        Directory.CreateDirectory(_o.LogDirectory);
        var log = Path.Combine(_o.LogDirectory, spec.Name + ".log");
        File.Delete(log);
        var props = new List<SdProperty>
        {
            SdProperty.Description($"Infra storage daemon {spec.Name}"),
            SdProperty.Slice(_o.Slice),
            SdProperty.Type("exec"),
            SdProperty.ExecStart(new Infra.Systemd.Units.ExecCommand(binary, [binary, .. spec.Arguments])),
            SdProperty.StandardOutputFileToAppend(log),
            SdProperty.StandardErrorFileToAppend(log),
            // SIGTERM makes qemu-storage-daemon flush and exit; SIGKILL only after the timeout.
            SdProperty.KillMode("mixed"),
            SdProperty.TimeoutStop(_o.StopTimeout),
            SdProperty.CollectMode("inactive-or-failed"),
        };
        props.AddRange(_o.ExtraProperties);
        var outcome = await systemd.StartTransientUnitAndWaitAsync(unit, "fail", props, _o.JobTimeout, ct).ConfigureAwait(false);
        var state = await units.GetUnitStateAsync(unit, ct).ConfigureAwait(false);
        if (outcome.Result != JobResult.Done || state is not { MainPid: > 0 })
            throw new InvalidOperationException($"storage daemon unit {unit} did not start (job {outcome.Result}, state {state?.ActiveState ?? "gone"}): {Tail(log)}; see journalctl -u {unit}");
        return new UnitProcess(units, unit, state.MainPid, log, _o.PollInterval);
    }

    /// <summary>systemd wants an absolute ExecStart path; a bare name is looked up in PATH here.</summary>
    internal static string ResolveBinary(string file)
    {
        if (Path.IsPathRooted(file)) return file;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin").Split(':'))
            if (dir.Length > 0 && File.Exists(Path.Combine(dir, file))) return Path.Combine(dir, file);
        throw new FileNotFoundException($"{file} is not in PATH; install it (qemu-storage-daemon is in qemu-system-common) or give an absolute path");
    }

    internal static string Tail(string log) => Infra.Agent.Compute.Runners.LogTail.Read(log, 5);

    private sealed class UnitProcess(SystemdUnitManager units, string unit, int pid, string log, TimeSpan poll) : IManagedProcess
    {
        private volatile bool _exited;
        public int Pid { get; } = pid;
        public string StderrTail => Tail(log);

        // systemd tells whether the unit still runs; the unit's MainPID may live in another PID
        // namespace (systemd in a container), so /proc on this side is not consulted.
        public bool HasExited
        {
            get
            {
                if (_exited) return true;
                var s = Task.Run(() => units.GetUnitStateAsync(unit, CancellationToken.None)).GetAwaiter().GetResult();
                return _exited = s is null or { ActiveState: "inactive" or "failed" };
            }
        }

        public async Task<int> WaitForExitAsync(CancellationToken ct = default)
        {
            while (true)
            {
                var s = await units.GetUnitStateAsync(unit, ct).ConfigureAwait(false);
                if (s is null) { _exited = true; return -1; }
                if (s.ActiveState is "inactive" or "failed") { _exited = true; return s.ExecMainStatus; }
                await Task.Delay(poll, ct).ConfigureAwait(false);
            }
        }

        public async Task StopAsync(TimeSpan grace, CancellationToken ct = default)
        {
            // The unit's TimeoutStopUSec bounds the SIGTERM wait; systemd sends SIGKILL after it.
            await units.StopUnitAsync(unit, ct).ConfigureAwait(false);
            await units.ResetFailedUnitAsync(unit, ct).ConfigureAwait(false);
            _exited = true;
        }

        public async ValueTask DisposeAsync()
        {
            if (_exited) return;
            try { await StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false); } catch (Exception) { }
        }
    }
}

/// <summary>Settings of <see cref="SystemdProcessLauncher"/>.</summary>
public sealed record SystemdLauncherOptions
{
    /// <summary>The slice storage daemons run in, next to the VMs.</summary>
    public string Slice { get; init; } = Infra.Agent.Compute.Runners.UnitProperties.Slice;
    /// <summary>Where each daemon's stdout/stderr log goes (as systemd sees the path).</summary>
    public string LogDirectory { get; init; } = "/var/log/infra/storage";
    /// <summary>How long a start or stop job may take.</summary>
    public TimeSpan JobTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>How long a daemon may take to exit on SIGTERM before systemd kills it.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>How often an exit wait asks systemd.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(100);
    /// <summary>Added to every unit (RootDirectory=, BindPaths=, User= on hosts that confine daemons).</summary>
    public IReadOnlyList<SdProperty> ExtraProperties { get; init; } = [];
}
