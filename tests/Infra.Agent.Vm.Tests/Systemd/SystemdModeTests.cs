using Infra.Agent.Compute.Cgroups;
using Infra.Agent.Compute.Console;
using Infra.Agent.Compute.Model;
using Infra.Agent.Compute.Qemu;
using Infra.Agent.Compute.Runners;
using Infra.Agent.Storage.Processes;
using Infra.Agent.Vm.Monitor;
using Infra.Agent.Vm.Systemd;
using Infra.Agent.Vm.Tests.Support;
using Infra.Qmp;
using Infra.Systemd.Manager;
using Infra.Systemd.Tests.Fixtures;
using Infra.TestGuest;
using Tmds.DBus.Protocol;
using SdProperty = Infra.Systemd.Units.UnitProperty;

namespace Infra.Agent.Vm.Tests.Systemd;

/// <summary>
/// Real systemd (PID 1 of its own PID namespace, in an overlay of a minbase Debian root) runs a
/// VM and a storage daemon as transient units in infra-vms.slice through our adapters.
///
/// qemu is not installed in the minbase root. Rather than install it there (minutes, and a second
/// qemu build to keep in step) the host's root filesystem is bound read-only at /host and the units
/// run with RootDirectory=/host + MountAPIVFS=yes: qemu then runs the host's binary with the host's
/// libraries, firmware and test-guest kernel at their usual paths, while systemd still owns the
/// unit, its cgroup and its quota. The run directory (sockets, pidfile, logs) lives in the root's
/// /run and is bound into the unit at the same path (BindPaths=), so systemd (PIDFile=,
/// StandardOutputFileToAppend=) and qemu agree on it; the test reaches it from the host below the root.
/// PIDs differ between the namespaces, so qemu's host PID is taken from the unit's cgroup.procs.
/// </summary>
public sealed class SystemdModeTests(BootedSystemdFixture f) : IClassFixture<BootedSystemdFixture>
{
    private SystemdRoot _root => f.Root;
    private SystemdManager _systemd => f.Systemd;
    private string _run => f.Run;
    private static readonly CancellationToken Ct = CancellationToken.None;

    private string HostView(string pathInRoot) => _root.RootPath + pathInRoot;

    private IReadOnlyList<SdProperty> InHostRoot() =>
    [
        new("RootDirectory", VariantValue.String("/host")),
        new("MountAPIVFS", VariantValue.Bool(true)),
        new("BindPaths", new Tmds.DBus.Protocol.Array<Struct<string, string, bool, ulong>>([Struct.Create(_run, _run, false, 0UL)])),
    ];

    [Fact]
    public async Task VmAsTransientUnit_ActiveWithQuota_LiveQuotaChange_StopRemovesUnitAndQemu()
    {
        var image = await TestGuestImage.EnsureBuiltAsync();
        var units = new SystemdUnitManager(_systemd, TimeSpan.FromSeconds(60), InHostRoot());
        var vm = new VmDefinition
        {
            Id = "sdvm", Vcpus = 1, CpuMhz = 1000, MemoryMib = 256,
            Kernel = new KernelBoot(image.Kernel, image.Initrd, "console=ttyS0 panic=-1 quiet no_timer_check"),
        };
        var paths = VmPaths.For(_run, vm.Id);
        Directory.CreateDirectory(HostView(paths.Directory));
        var argv = new List<string> { "/usr/bin/qemu-system-x86_64" };
        argv.AddRange(QemuCommandLine.Build(vm, new QemuLaunch { Accelerator = Accelerator.Tcg, Paths = paths }));
        var unit = UnitProperties.UnitName(vm.Id);

        await units.StartTransientUnitAsync(unit, UnitProperties.ForStart(vm, argv, VmResources.For(50, 1, 256, 256), paths), Ct);
        var state = await units.GetUnitStateAsync(unit, Ct);
        Assert.NotNull(state);
        Assert.Equal("active", state.ActiveState);
        Assert.True(state.MainPid > 0);

        await using var monitor = (QmpVmMonitor)await ConnectAsync(HostView(paths.QmpSocket));
        Assert.True((await monitor.QueryStatusAsync(Ct)).Running);
        // The serial port is a socket inside the unit's view; the agent's console pump reads it from outside.
        await using var consoles = new ConsoleHub(new ConsoleOptions(), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        await consoles.StartedAsync(vm.Id, new VmPaths(HostView(paths.Directory)));
        await Waits.WaitUntilAsync(() => File.Exists(HostView(paths.SerialLog)) && File.ReadAllText(HostView(paths.SerialLog)).Contains("GUEST-BOOTED"),
            TimeSpan.FromSeconds(90), "the guest to boot inside the unit");

        var cgroup = await units.GetControlGroupAsync(unit, Ct);
        Assert.Equal($"/infra.slice/{UnitProperties.Slice}/{unit}", cgroup);
        Assert.Equal((50_000L, 100_000L), _root.ReadCpuQuota(cgroup!)); // 1000 MHz of 2000 MHz cores; a "-" in a slice name nests it: infra-vms.slice is in infra.slice
        var qemuHostPid = int.Parse(File.ReadAllLines(Path.Combine(_root.HostCgroupPath("cpu", cgroup!), "cgroup.procs")).First());
        Assert.StartsWith("qemu-system-", Path.GetFileName(ProcessInspector.CommandLine(qemuHostPid)[0]));

        await new SystemdUnitRunner(units, TimeProvider.System).SetResourcesAsync(vm.Id, VmResources.For(150, 1, 256, 256), Ct);
        Assert.Equal((150_000L, 100_000L), _root.ReadCpuQuota(cgroup!));

        await units.StopUnitAsync(unit, Ct);
        Assert.Null(await units.GetUnitStateAsync(unit, Ct));
        await Waits.WaitUntilAsync(() => !ProcessInspector.IsAlive(qemuHostPid), TimeSpan.FromSeconds(10), "qemu to exit");
        await monitor.Client.Completion.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task StorageDaemonAsTransientUnit_ServesQmp_InVmSlice_StopRemovesUnit()
    {
        var launcher = new SystemdProcessLauncher(_systemd, new SystemdLauncherOptions { LogDirectory = _run, ExtraProperties = InHostRoot() });
        var qmpSock = $"{_run}/vol-qmp.sock";
        await using var process = await launcher.StartAsync(new ProcessSpec("infra-vol-sdtest", "qemu-storage-daemon",
            ["--chardev", $"socket,id=mon0,path={qmpSock},server=on,wait=off", "--monitor", "chardev=mon0"]));
        Assert.False(process.HasExited);
        var unit = SystemdProcessLauncher.UnitName("infra-vol-sdtest");
        Assert.Equal($"/infra.slice/{UnitProperties.Slice}/{unit}", (await _systemd.GetUnitStatusAsync(unit)).ControlGroup);

        await using (var qmp = await QmpClient.WaitAndConnectAsync(HostView(qmpSock), TimeSpan.FromSeconds(20)))
            Assert.True((await qmp.ExecuteAsync("query-version")).TryGetProperty("qemu", out _));

        await process.StopAsync(TimeSpan.FromSeconds(5));
        Assert.True(process.HasExited);
        Assert.Null(await new SystemdUnitManager(_systemd).GetUnitStateAsync(unit, Ct));
    }

    private static async Task<Compute.Monitor.IVmMonitor> ConnectAsync(string socket)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            try { return await new QmpVmMonitorFactory().ConnectAsync(socket, TimeSpan.FromSeconds(10), Ct); }
            catch (QmpConnectionClosedException) when (DateTime.UtcNow < deadline) { await Task.Delay(100); }
        }
    }
}

/// <summary>One booted systemd for the class, with the host's root filesystem bound read-only at /host.</summary>
public sealed class BootedSystemdFixture : IAsyncLifetime
{
    public SystemdRoot Root { get; private set; } = null!;
    public SystemdManager Systemd { get; private set; } = null!;
    /// <summary>The run directory, at this path inside the root and in the units.</summary>
    public string Run { get; } = $"/run/infra-sdvm-{Guid.NewGuid():N}"[..24];

    public async Task InitializeAsync()
    {
        await TestGuestImage.EnsureBuiltAsync();
        Root = await Task.Run(() => new SystemdRoot([("/", "/host")]));
        Systemd = await SystemdManager.ConnectAsync(Root.BusAddress);
        await Systemd.SubscribeAsync();
        Directory.CreateDirectory(Root.RootPath + Run);
    }

    public async Task DisposeAsync()
    {
        if (Systemd is not null) await Systemd.DisposeAsync();
        Root?.Dispose(); // kills systemd's PID namespace: every unit's process dies with it
        // systemd made the BindPaths= mount point below /host, i.e. on the host's own /run: an empty dir.
        try { if (Directory.Exists(Run)) Directory.Delete(Run); } catch (IOException) { }
    }
}
