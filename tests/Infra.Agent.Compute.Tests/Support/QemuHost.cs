using Infra.Agent.Compute.Accel;
using Infra.Agent.Compute.Cgroups;
using Infra.Agent.Compute.Manager;
using Infra.Agent.Compute.Model;
using Infra.Agent.Compute.Runners;
using Microsoft.Extensions.Logging.Abstractions;

namespace Infra.Agent.Compute.Tests.Support;

/// <summary>
/// One simulated host for integration tests: a private state directory, a private cgroup parent
/// (nested under the test process's own cgroups, unique per run) and the supervised-child runner.
/// Managers made from it share the state directory, as an agent and its restarted self do.
/// Dispose kills every qemu it finds by PID and removes the cgroups and the directory.
/// </summary>
public sealed class QemuHost : IAsyncDisposable
{
    public string StateRoot { get; } = Path.Combine("/tmp", $"icv-{Guid.NewGuid():N}"[..12]);
    public CgroupTree Cgroups { get; } = new() { Parent = $"infra-test-{Guid.NewGuid():N}"[..20], NestUnderOwnCgroup = true };
    public SupervisedChildRunner Runner { get; }
    public ComputeOptions Options { get; }
    private readonly List<VmManager> _managers = [];

    public QemuHost(int mhzPerCore = 2000)
    {
        Directory.CreateDirectory(StateRoot);
        Runner = new SupervisedChildRunner(Cgroups, TimeProvider.System, TimeSpan.FromSeconds(30));
        Options = new ComputeOptions { StateRoot = StateRoot, MhzPerCore = mhzPerCore, PowerOffTimeout = TimeSpan.FromSeconds(5), DestroyShutdownTimeout = TimeSpan.FromSeconds(1) };
    }

    /// <summary>TCG is forced: this machine's KVM hangs real guests, and the probe has its own tests.</summary>
    public static IAcceleratorProbe Tcg() => new AcceleratorProbe(new AcceleratorOptions { AllowTcg = true, ForceTcg = true });

    /// <summary>A new manager over the same state: "the agent (re)started".</summary>
    public VmManager NewManager(IAcceleratorProbe? probe = null)
    {
        var m = new VmManager(Options, Runner, new TestQmpFactory(), probe ?? Tcg(), TimeProvider.System, NullLogger<VmManager>.Instance);
        _managers.Add(m);
        return m;
    }

    /// <summary>A VM; <paramref name="quotaPercent"/> is what the controller would send for its cpu_mhz (0: none).</summary>
    public static VmDefinition Vm(string id, int vcpus = 1, int cpuMhz = 2000, int quotaPercent = 0) =>
        new() { Id = id, Name = $"test {id}", Vcpus = vcpus, CpuMhz = cpuMhz, CpuQuotaPercent = quotaPercent, MemoryMib = 64 };

    public VmPaths PathsOf(string id) => VmPaths.For(StateRoot, id);

    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out after {timeout.TotalSeconds} s waiting for {what}");
            await Task.Delay(20);
        }
    }

    /// <summary>Fields of /proc/&lt;pid&gt;/stat after the command name: state, ppid, pgrp, session.</summary>
    public static (char State, int Ppid, int Session) Stat(int pid)
    {
        var s = File.ReadAllText($"/proc/{pid}/stat");
        var f = s[(s.LastIndexOf(')') + 2)..].Split(' ');
        return (f[0][0], int.Parse(f[1]), int.Parse(f[3]));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var m in _managers) await m.DisposeAsync();
        if (Directory.Exists(StateRoot))
        {
            foreach (var dir in Directory.GetDirectories(StateRoot))
            {
                var id = Path.GetFileName(dir);
                var paths = PathsOf(id);
                if (ProcessInspector.ReadPidFile(paths.PidFile) is { } pid
                    && ProcessInspector.IsQemuFor(ProcessInspector.CommandLine(pid), id, paths.QmpSocket))
                {
                    ProcessInspector.Signal(pid, 9);
                    try { await WaitUntilAsync(() => !ProcessInspector.IsAlive(pid), TimeSpan.FromSeconds(10), $"qemu {pid} to die"); }
                    catch (TimeoutException) { /* reported by the leftover cgroup below, if any */ }
                }
                // The supervisor writes the exit status and leaves the cgroup right after qemu dies.
                try { await WaitUntilAsync(() => File.Exists(paths.ExitStatusFile) || !Runner.CgroupOf(id).Exists, TimeSpan.FromSeconds(10), "supervisor exit"); }
                catch (TimeoutException) { }
                await Runner.ReleaseAsync(id, CancellationToken.None);
            }
            Directory.Delete(StateRoot, recursive: true);
        }
        Cgroups.RemoveParent();
    }
}
