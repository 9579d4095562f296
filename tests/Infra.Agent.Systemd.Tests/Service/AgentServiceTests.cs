using Infra.Agent.Systemd.Tests.Fixture;
using Infra.Agent.Tests.Support;
using Infra.V1;
using static Infra.Agent.Tests.Support.Resources;

namespace Infra.Agent.Systemd.Tests.Service;

/// <summary>
/// infra-agent as the packaged systemd service (Type=notify, KillMode=process, Restart=always,
/// WatchdogSec) under a real booted systemd, with runner: systemd, driven by a scripted controller on
/// loopback. Each test starts the agent afresh on the class's one booted root. VMs boot from a clone
/// of an empty base image served by qemu-storage-daemon over vhost-user-blk: the agent's VmSpec boots
/// from its first volume, so the guest stays in firmware, which is enough to hold a real qemu with
/// its disk connected (TCG).
/// </summary>
public sealed partial class AgentServiceTests(AgentServiceRoot host) : IClassFixture<AgentServiceRoot>
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(90);
    private const string Agent = AgentServiceRoot.Unit;

    private static Resource Volume(string id) => new()
    {
        Volume = new VolumeSpec { Id = id, SizeBytes = 64 << 20, BaseImageId = "img1", Backend = new VolumeBackend { Local = new LocalBackend { Format = DiskFormat.Qcow2 } } },
    };

    private static Resource VmOn(string id, string volume, uint cpuMhz = 1000, ulong memoryMib = 128)
    {
        var r = Vm(id);
        r.Vm.CpuMhz = cpuMhz;
        // The quota the controller computes and sends (Domain CpuQuota: cpu_mhz over the host's
        // 2000 MHz cores, rounded up); the agent only enforces it.
        r.Vm.CpuQuotaPercent = (cpuMhz * 100 + 1999) / 2000;
        r.Vm.MemoryMib = memoryMib;
        r.Vm.VolumeIds.Add(volume);
        return r;
    }

    /// <summary>Sends <paramref name="desired"/> to any session whose Hello does not already claim its version.</summary>
    private static Func<ScriptedSession, Task> Serve(Func<DesiredState> desired) => s =>
    {
        var d = desired();
        return s.Hello.AppliedVersion == d.Version ? Task.CompletedTask : s.SendAsync(d);
    };

    /// <summary>Waits until a status report of a session at or after <paramref name="minSession"/> matches.</summary>
    private async Task<StatusReport> WaitStatusAsync(int minSession, Func<StatusReport, bool> match, bool full, string what)
    {
        var c = host.Server!.Controller;
        var deadline = DateTime.UtcNow + Long;
        while (DateTime.UtcNow < deadline)
        {
            var reports = c.Received.Where(r => r.Session >= minSession && r.Message.Status is not null).Select(r => r.Message.Status).ToList();
            foreach (var m in reports)
                if ((!full || m.Full) && match(m)) return m;
            // Deltas carry only what changed: the VM and its volume may be reported in different ones
            // (under load they land in different status cycles), so a delta match is on their sum.
            if (!full && Folded(reports) is { } sum && match(sum)) return sum;
            await Task.Delay(50);
        }
        var seen = string.Join("\n", c.Received.Where(r => r.Message.Status is not null).Select(r =>
            $"s{r.Session} full={r.Message.Status.Full} vms={string.Join(",", r.Message.Status.Vms.Select(v => $"{v.Id}:{v.State}:{v.Pid}:{v.Reason}"))} vols={string.Join(",", r.Message.Status.Volumes.Select(v => $"{v.Id}:{v.State}:{v.Reason}"))}"));
        throw new TimeoutException($"no status report matched: {what}\nreports:\n{seen}\njournal:\n{host.Journal(Agent)}\n{VmDiagnostics()}");
    }

    /// <summary>The latest state of every VM and volume over <paramref name="reports"/> (a full report resets it).</summary>
    private static StatusReport? Folded(IReadOnlyList<StatusReport> reports)
    {
        if (reports.Count == 0) return null;
        var vms = new Dictionary<string, VmStatus>();
        var volumes = new Dictionary<string, VolumeStatus>();
        foreach (var r in reports)
        {
            if (r.Full) { vms.Clear(); volumes.Clear(); }
            foreach (var v in r.Vms) vms[v.Id] = v;
            foreach (var v in r.Volumes) volumes[v.Id] = v;
        }
        var sum = new StatusReport();
        sum.Vms.AddRange(vms.Values);
        sum.Volumes.AddRange(volumes.Values);
        return sum;
    }

    /// <summary>Each VM's unit journal and qemu log, for failure messages.</summary>
    private string VmDiagnostics()
    {
        var vms = host.HostPath(AgentServiceRoot.StateDir + "/vms");
        return string.Join("\n", (Directory.Exists(vms) ? Directory.GetDirectories(vms) : []).Select(d =>
        {
            var log = Path.Combine(d, "qemu.log");
            var id = Path.GetFileName(d);
            return $"--- {id}: journal\n{host.Journal($"infra-vm-{id}.service", 20)}\n--- {id}: files {string.Join(" ", Directory.GetFiles(d).Select(Path.GetFileName))}; qemu.log\n{(File.Exists(log) ? File.ReadAllText(log) : "(none)")}";
        }));
    }

    private static bool VmIs(StatusReport s, string id, InstanceState state) => s.Vms.Any(v => v.Id == id && v.State == state);

    private static bool VolumeIs(StatusReport s, string id, VolumeState state) => s.Volumes.Any(v => v.Id == id && v.State == state);

    private async Task<(int Session, AgentMessage Message)> WaitForAsync(Func<int, AgentMessage, bool> match, string what)
    {
        try { return await host.Server!.Controller.WaitForAsync(match, Long, what); }
        catch (TimeoutException e) { throw new TimeoutException($"{e.Message}\njournal:\n{host.Journal(Agent)}", e); }
    }
}
