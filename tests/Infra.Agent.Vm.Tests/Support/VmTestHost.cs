using Infra.Agent.Compute.Accel;
using Infra.Agent.Compute.Cgroups;
using Infra.Agent.Compute.Manager;
using Infra.Agent.Compute.Model;
using Infra.Agent.Compute.Runners;
using Infra.Agent.Storage.Volumes;
using Infra.Agent.Vm.Hosting;
using Infra.TestGuest;

namespace Infra.Agent.Vm.Tests.Support;

/// <summary>
/// One simulated host for integration tests: a VmHost in child mode (supervised qemu, child
/// storage daemons) over a private temp directory and a private cgroup parent, unique per run.
/// Dispose powers off every VM it finds by PID, stops the daemons, removes the cgroups and the dir.
/// </summary>
public sealed class VmTestHost : IAsyncDisposable
{
    public string Root { get; } = Path.Combine("/tmp", $"ivm-{Guid.NewGuid():N}"[..12]);
    public CgroupTree Cgroups { get; } = new() { Parent = $"infra-vmt-{Guid.NewGuid():N}"[..20], NestUnderOwnCgroup = true };
    public VmHost Host { get; private set; } = null!;
    public TestGuestImage Image { get; private set; } = null!;
    public VmHostOptions Options { get; }

    public VmTestHost()
    {
        Directory.CreateDirectory(Root);
        Options = new VmHostOptions
        {
            Compute = new ComputeOptions
            {
                StateRoot = Path.Combine(Root, "vms"), MhzPerCore = 2000,
                PowerOffTimeout = TimeSpan.FromSeconds(5), DestroyShutdownTimeout = TimeSpan.FromSeconds(1),
            },
            VolumeRunRoot = Path.Combine(Root, "vol"),
            Supervisor = Supervisor.Child,
        };
    }

    public static async Task<VmTestHost> StartAsync()
    {
        var h = new VmTestHost();
        try
        {
            h.Image = await TestGuestImage.EnsureBuiltAsync();
            h.Host = await VmHostBuilder.BuildAsync(h.Options, new AcceleratorProbe(new AcceleratorOptions { AllowTcg = true, ForceTcg = true, WorkDirectory = h.Root }),
                cgroups: h.Cgroups);
            return h;
        }
        catch
        {
            await h.DisposeAsync();
            throw;
        }
    }

    /// <summary>As an agent restart does: drop this VmHost (VMs keep running) and build a new one over the same state.</summary>
    public async Task RestartAsync()
    {
        await Host.DisposeAsync();
        Host = await VmHostBuilder.BuildAsync(Options, new AcceleratorProbe(new AcceleratorOptions { AllowTcg = true, ForceTcg = true, WorkDirectory = Root }),
            cgroups: Cgroups);
    }

    /// <summary>A test-guest VM with the given kernel switches.</summary>
    public VmDefinition Guest(string id, int hotplugSlots = 0, params string[] kernelArgs) => new()
    {
        Id = id, Name = $"test {id}", Vcpus = 1, CpuMhz = 1000, CpuQuotaPercent = 50, MemoryMib = 256, HotplugSlots = hotplugSlots,
        Kernel = new KernelBoot(Image.Kernel, Image.Initrd,
            string.Join(' ', new[] { "console=ttyS0", "panic=-1", "quiet", "no_timer_check" }.Concat(kernelArgs))),
    };

    /// <summary>A raw volume file of <paramref name="mib"/> MiB, optionally starting with a line of text.</summary>
    public VolumeSpec RawVolume(string id, int mib = 8, string? firstLine = null)
    {
        var path = Path.Combine(Root, $"{id}.raw");
        using (var f = new FileStream(path, FileMode.Create))
        {
            f.SetLength(mib * 1024L * 1024);
            if (firstLine is not null) f.Write(System.Text.Encoding.ASCII.GetBytes(firstLine + "\n"));
        }
        return new VolumeSpec(id, new RawFileBackend(path));
    }

    public VmPaths PathsOf(string id) => VmPaths.For(Options.Compute.StateRoot, id);

    public string SerialLog(string id) => File.Exists(PathsOf(id).SerialLog)
        ? File.ReadAllText(PathsOf(id).SerialLog).Replace("\r", "") : "";

    /// <summary>Waits until the VM's serial log contains <paramref name="text"/>.</summary>
    public Task WaitForSerialAsync(string id, string text, TimeSpan timeout) =>
        WaitUntilAsync(() => SerialLog(id).Contains(text), timeout, $"'{text}' on VM {id}'s serial console; log so far: {Tail(SerialLog(id))}");

    public static string Tail(string s) => s.Length <= 2500 ? s : s[^2500..];

    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out after {timeout.TotalSeconds} s waiting for {what}");
            await Task.Delay(50);
        }
    }

    /// <summary>The first line of a file's first 4 KiB (NULs dropped), as the guest prints disks.</summary>
    public static string FirstLine(string path)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var buf = new byte[4096];
        var n = f.Read(buf);
        return System.Text.Encoding.ASCII.GetString(buf, 0, n).Replace("\0", "").Split('\n')[0];
    }

    public async ValueTask DisposeAsync()
    {
        if (Host is not null)
        {
            foreach (var id in Host.Vms.Store.List())
                try { await Host.Vms.PowerOffAsync(id, CancellationToken.None); } catch (Exception) { /* killed below */ }
            await Host.DisposeAsync();
        }
        var vms = Path.Combine(Root, "vms");
        if (Directory.Exists(vms))
            foreach (var dir in Directory.GetDirectories(vms))
            {
                var id = Path.GetFileName(dir);
                var paths = PathsOf(id);
                if (ProcessInspector.ReadPidFile(paths.PidFile) is { } pid && ProcessInspector.IsQemuFor(ProcessInspector.CommandLine(pid), id, paths.QmpSocket))
                {
                    ProcessInspector.Signal(pid, 9);
                    try { await WaitUntilAsync(() => !ProcessInspector.IsAlive(pid), TimeSpan.FromSeconds(10), $"qemu {pid} to die"); } catch (TimeoutException) { }
                }
                for (var i = 0; i < 50 && !Cgroups.For(id).Remove() && Cgroups.For(id).Exists; i++) await Task.Delay(50);
            }
        Cgroups.RemoveParent();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
