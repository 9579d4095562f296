using Infra.Agent.Compute.Accel;
using Infra.Agent.Compute.Cgroups;
using Infra.Agent.Compute.Manager;
using Infra.Agent.Compute.Runners;
using Infra.Agent.Storage.Images;
using Infra.Agent.Storage.Processes;
using Infra.Agent.Storage.Volumes;
using Infra.Agent.Vm.Monitor;
using Infra.Agent.Vm.Systemd;
using Infra.Systemd.Manager;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Infra.Agent.Vm.Hosting;

/// <summary>
/// Builds a <see cref="VmHost"/> from config: the supervisor choice picks the VM runner and the
/// storage-daemon launcher together, so VMs and their disks always live under the same owner
/// (both survive an agent restart under systemd; both are the agent's under the child runner,
/// where only the VMs are detached).
/// </summary>
public static class VmHostBuilder
{
    /// <summary>Validates, connects to systemd if asked, and wires everything.</summary>
    public static async Task<VmHost> BuildAsync(VmHostOptions options, IAcceleratorProbe probe, ILoggerFactory? logs = null,
        CgroupTree? cgroups = null, SystemdLauncherOptions? launcherOptions = null, TimeProvider? time = null, CancellationToken ct = default)
    {
        var errors = options.Validate();
        if (errors.Count > 0) throw new ArgumentException($"invalid VM host options: {string.Join("; ", errors)}", nameof(options));
        logs ??= NullLoggerFactory.Instance;
        time ??= TimeProvider.System;
        SystemdManager? systemd = null;
        IVmRunner runner;
        IProcessLauncher launcher;
        if (options.Resolve() == Supervisor.Systemd)
        {
            systemd = await SystemdManager.ConnectAsync(options.SystemBusAddress, ct).ConfigureAwait(false);
            runner = new SystemdUnitRunner(new SystemdUnitManager(systemd), time);
            launcher = new SystemdProcessLauncher(systemd, launcherOptions);
        }
        else
        {
            runner = new SupervisedChildRunner(cgroups ?? new CgroupTree(), time);
            launcher = new ChildProcessLauncher();
        }
        var manager = new VmManager(options.Compute, runner, new QmpVmMonitorFactory(logs.CreateLogger("Infra.Qmp")), probe, time,
            logs.CreateLogger<VmManager>());
        var volumes = new VolumeServer(launcher, new QemuImg(), options.VolumeRunRoot, logs.CreateLogger<VolumeServer>());
        return new VmHost(options, manager, volumes, runner, systemd, logs.CreateLogger<VmHost>(), time);
    }
}
