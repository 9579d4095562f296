using Infra.Agent.Compute.Cgroups;
using Infra.Agent.Compute.Model;

namespace Infra.Agent.Compute.Runners;

/// <summary>
/// The transient unit that runs one VM. Pure, so the exact property list is under test.
///
/// - <c>Slice=infra-vms.slice</c>: all VMs under one slice, apart from the agent's own service, so
///   restarting or stopping the agent never touches them.
/// - <c>CPUQuotaPerSecUSec</c>/<c>CPUWeight</c>/<c>MemoryMax</c>: the VM's limits (cpu_mhz as quota).
/// - <c>KillMode=mixed</c>: stopping the unit sends SIGTERM to qemu only (qemu treats it as a
///   clean "quit"), then SIGKILL to whatever is left after the timeout.
/// - <c>Type=exec</c>: the start job fails if qemu cannot be executed at all.
/// - <c>CollectMode=inactive-or-failed</c>: a stopped or crashed VM's unit is garbage-collected,
///   so its name can be reused on the next start; the agent reads the exit status before that
///   from the exit-status file (qemu's status reaches systemd as ExecMainStatus too).
/// - <c>Delegate=no</c>: qemu does not manage sub-cgroups.
/// - stdout/stderr: over D-Bus a file is <c>StandardOutputFileToAppend</c>; the unit-file
///   spelling <c>StandardOutput=append:</c> is refused by StartTransientUnit (InvalidArgs).
/// </summary>
public static class UnitProperties
{
    /// <summary>The slice every VM unit lives in.</summary>
    public const string Slice = "infra-vms.slice";

    /// <summary>The unit name for a VM id.</summary>
    public static string UnitName(string vmId) => $"infra-vm-{vmId}.service";

    /// <summary>The properties for StartTransientUnit.</summary>
    public static IReadOnlyList<UnitProperty> ForStart(VmDefinition vm, IReadOnlyList<string> argv, VmResources r, VmPaths paths) =>
    [
        new("Description", new UnitValue.Str(vm.Name.Length > 0 ? $"Infra VM {vm.Name} ({vm.Id})" : $"Infra VM {vm.Id}")),
        new("Slice", new UnitValue.Str(Slice)),
        new("Type", new UnitValue.Str("exec")),
        new("ExecStart", new UnitValue.Exec(argv[0], argv, false)),
        new("PIDFile", new UnitValue.Str(paths.PidFile)),
        new("WorkingDirectory", new UnitValue.Str(paths.Directory)),
        new("StandardOutputFileToAppend", new UnitValue.Str(paths.StdioLog)),
        new("StandardErrorFileToAppend", new UnitValue.Str(paths.StdioLog)),
        new("KillMode", new UnitValue.Str("mixed")),
        new("TimeoutStopUSec", new UnitValue.U64(30_000_000)),
        new("CollectMode", new UnitValue.Str("inactive-or-failed")),
        new("Delegate", new UnitValue.Bool(false)),
        .. ForResources(r),
    ];

    /// <summary>The properties for a live change (SetUnitProperties): the limits only.</summary>
    public static IReadOnlyList<UnitProperty> ForResources(VmResources r) =>
    [
        new("CPUQuotaPerSecUSec", new UnitValue.U64(r.Cpu.QuotaPerSecUs)),
        new("CPUQuotaPeriodUSec", new UnitValue.U64((ulong)r.Cpu.PeriodUs)),
        new("CPUWeight", new UnitValue.U64((ulong)r.Cpu.Weight)),
        new("MemoryMax", new UnitValue.U64((ulong)r.MemoryMaxBytes)),
    ];
}
