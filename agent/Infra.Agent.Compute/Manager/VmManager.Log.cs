using Microsoft.Extensions.Logging;

namespace Infra.Agent.Compute.Manager;

public sealed partial class VmManager
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "VM {VmId} started: qemu PID {Pid}, accel {Accel}")]
    private partial void LogStarted(string vmId, int pid, string accel);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "VM {VmId} adopted: qemu PID {Pid} kept running across the agent restart")]
    private partial void LogAdopted(string vmId, int pid);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "VM {VmId} crashed: {Reason}")]
    private partial void LogCrashed(string vmId, string reason);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "VM {VmId} stopped ({How})")]
    private partial void LogStopped(string vmId, string how);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "VM {VmId}: graceful shutdown took longer than {Seconds} s; powering off")]
    private partial void LogShutdownTimedOut(string vmId, double seconds);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Debug, Message = "QMP at {Socket} did not answer: {Error}")]
    private partial void LogMonitorUnavailable(string socket, string error);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Information, Message = "VM {VmId}: CPU set to {CpuMhz} MHz ({QuotaUs}/{PeriodUs} us)")]
    private partial void LogCpuSet(string vmId, int cpuMhz, long quotaUs, long periodUs);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Error, Message = "VM {VmId}: {Action} failed: {Error}")]
    private partial void LogActionFailed(string vmId, string action, string error);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Information, Message = "VM {VmId} deleted")]
    private partial void LogDeleted(string vmId);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Information, Message = "VM {VmId}: config drive medium swapped (sha256 {Sha256})")]
    private partial void LogConfigDriveChanged(string vmId, string sha256);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Information, Message = "VM {VmId}: disk {Socket} plugged into root port {Port}")]
    private partial void LogDiskAttached(string vmId, string socket, string port);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Information, Message = "VM {VmId}: disk {Socket} unplugged from root port {Port}")]
    private partial void LogDiskDetached(string vmId, string socket, string port);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Warning, Message = "compute.qemu_user is empty: guests run as root inside qemu; set it to an unprivileged account (infra-qemu) on any host that runs tenants")]
    private partial void LogQemuStaysRoot();
}
