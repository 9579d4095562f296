using Infra.Agent.Compute.Accel;
using Infra.Agent.Compute.Cgroups;
using Infra.Agent.Compute.Manager;
using Infra.Agent.Compute.Runners;
using Infra.Agent.Config;
using Infra.Agent.Core.Apply;
using Infra.Agent.Core.Commands;
using Infra.Agent.Core.Inventory;
using Infra.Agent.Core.Session;
using Infra.Agent.Core.State;
using Infra.Agent.Core.Status;
using Infra.Agent.Core.Storage;
using Infra.Agent.Storage.Images;
using Infra.Agent.Storage.Processes;
using Infra.Agent.Storage.Volumes;
using Infra.Agent.Vm.Monitor;
using Infra.Agent.Vm.Systemd;
using Infra.Systemd.Manager;
using Infra.Agent.Network;
using Infra.Agent.Network.Guests.Responder;
using Infra.Agent.Network.Taps;
using Infra.Ovsdb.Client;
using Microsoft.Extensions.Logging;

namespace Infra.Agent.Hosting;

/// <summary>
/// The agent's object graph, built from a validated config. Start order matters: the persisted
/// desired state is loaded and enforced first (adopting running VMs), and only then is the
/// controller dialed, so Hello can claim a version the host really converged on.
/// </summary>
public sealed partial class AgentHost : IAsyncDisposable
{
    private readonly ILogger _log;
    private readonly List<IAsyncDisposable> _owned = [];

    private AgentHost(ILogger log) => _log = log;

    /// <summary>The apply loop.</summary>
    public ApplyLoop Apply { get; private set; } = null!;
    /// <summary>The session.</summary>
    public SouthboundClient Session { get; private set; } = null!;
    /// <summary>Gets and renews the host certificate; null without controller.join_token_file.</summary>
    public HostEnrollment? Enrollment { get; private set; }

    /// <summary>The system bus systemd (PID 1) listens on.</summary>
    public const string SystemBus = "unix:path=/run/dbus/system_bus_socket";

    /// <summary>
    /// How runner: systemd reaches systemd: Infra.Agent.Vm's SystemdUnitManager over the system bus.
    /// Replaceable (tests point it at a private systemd); null makes runner: systemd an error.
    /// </summary>
    public static Func<ILoggerFactory, CancellationToken, Task<SystemdManager>>? Systemd { get; set; } = (logs, ct) =>
        SystemdManager.ConnectAsync(new SystemdManagerOptions { Address = SystemBus, Logger = logs.CreateLogger<SystemdManager>() }, ct);

    /// <summary>The socket a volume's vhost-user-blk export listens on.</summary>
    public static string VolumeSocket(string stateDir, string volumeId) => Path.Combine(stateDir, "volumes", volumeId, "vhost.sock");

    /// <summary>Builds the graph and loads the persisted state; nothing runs until <see cref="StartAsync"/>.</summary>
    public static async Task<AgentHost> CreateAsync(AgentConfig config, ILoggerFactory logs, CancellationToken ct)
    {
        var host = new AgentHost(logs.CreateLogger<AgentHost>());
        var time = TimeProvider.System;
        Directory.CreateDirectory(config.StateDir);

        var accel = new AcceleratorProbe(new AcceleratorOptions
        {
            QemuBinary = config.Compute.QemuBinary,
            AllowTcg = config.Compute.AllowTcg,
            ForceTcg = config.Compute.ForceTcg,
            WorkDirectory = config.StateDir,
        });
        var inventory = new InventoryProbe(new InventoryOptions(config.TunnelIp, config.StoragePools, config.Compute.MhzPerCore), accel);
        var cpu = inventory.ProbeCpu();
        IVmRunner runner;
        IProcessLauncher daemons;
        // The bus connection is closed last: everything else may still talk to systemd while closing.
        IAsyncDisposable? owned = null;
        if (config.Compute.Runner == "supervised")
        {
            runner = new SupervisedChildRunner(new CgroupTree { Parent = config.Compute.CgroupParent, NestUnderOwnCgroup = config.Compute.NestCgroups }, time);
            // Detached like the VMs, so volumes outlive an agent restart as the VMs using them do.
            daemons = new DetachedProcessLauncher(Path.Combine(config.StateDir, "logs"));
        }
        else
        {
            var connect = Systemd ?? throw new InvalidOperationException("compute.runner 'systemd' has no systemd connection in this build; set compute.runner: supervised");
            SystemdManager systemd;
            try { systemd = await connect(logs, ct); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw new InvalidOperationException($"compute.runner 'systemd' cannot reach systemd on the system bus ({e.Message}); is systemd PID 1 here? Otherwise set compute.runner: supervised", e);
            }
            owned = systemd;
            runner = new SystemdUnitRunner(new SystemdUnitManager(systemd), time);
            daemons = new SystemdProcessLauncher(systemd, new SystemdLauncherOptions { LogDirectory = Path.Combine(config.StateDir, "logs") });
        }
        var vms = new VmManager(new ComputeOptions
        {
            StateRoot = Path.Combine(config.StateDir, "vms"),
            MhzPerCore = cpu.MhzPerCore > 0 ? cpu.MhzPerCore : 1000,
            QemuBinary = config.Compute.QemuBinary,
            ConsoleLogBytes = config.Compute.ConsoleLogKib * 1024L,
            QemuUser = config.Compute.QemuUser,
            // A delete must not wait behind another VM's 30 s graceful shutdown, nor hold up status.
            StopInBackground = true,
        }, runner, new QmpVmMonitorFactory(logs.CreateLogger<QmpVmMonitorFactory>()), accel, time, logs.CreateLogger<VmManager>());
        host._owned.Add(vms);

        var images = new QemuImg();
        var volumeRoot = Path.Combine(config.StateDir, "volumes");
        var volumes = new StorageApplier(
            new VolumeServer(daemons, images, volumeRoot, logs.CreateLogger<VolumeServer>()), images,
            new StorageLayout(config.StoragePools.Select(p => (p.Name, p.Path)).ToList(), config.ImageDir),
            volumeRoot, logs.CreateLogger<StorageApplier>(), () => VolumesHeldByVms(vms));
        host._owned.Add(volumes);
        TapApplier? taps = null;
        var appliers = new List<IResourceApplier> { volumes, new ComputeApplier(vms, id => VolumeSocket(config.StateDir, id), id => taps?.Problem(id)) };
        var sources = new List<IStatusSource> { new ComputeStatusSource(vms, () => taps?.Problems ?? new Dictionary<string, string>(), () => host.Apply.Current), volumes };
        if (config.Network.Enabled)
        {
            var ovsdb = new OvsdbClient(new OvsdbClientOptions(config.Network.Ovsdb), logs.CreateLogger<OvsdbClient>());
            ovsdb.Start();
            host._owned.Add(ovsdb);
            var bridge = new BridgeSettings(config.Network.Bridge, config.Network.DatapathType, config.Network.DatapathId, config.Network.Dhcp);
            // Taps first (made, sized, up), then network (on br-int with the ofport the flows expect),
            // then storage and compute: qemu only ever opens a tap that is ready and switched.
            taps = new TapApplier(new TapReconciler(new TapDevices(), TapReconciler.DefaultMtu, logs.CreateLogger<TapReconciler>()), () => TapsHeldByVms(vms));
            var net = new LazyNetworkApplier(ovsdb, new NetworkOptions(config.Network.OvsRunDir), bridge, logs, TimeSpan.FromSeconds(10), taps.IsReady,
                // Only an orphan that may still run holds back removals: a stopped one has no traffic to cut.
                snapshot => ComputeMapping.Orphans(snapshot, VmsMaybeRunning(vms)).Count > 0);
            appliers.InsertRange(0, [taps, net]);
            if (config.Network.Dhcp)
            {
                // Guests without cloud-init configure their NICs from this; it answers each port with its own address only.
                var responder = new GuestResponder(new GuestResponderOptions(GuestResponderOptions.DefaultInterface,
                    TimeSpan.FromSeconds(config.Network.DhcpLeaseSeconds), TimeSpan.FromSeconds(config.Network.RouterAdvertisementIntervalSeconds)),
                    logs.CreateLogger<GuestResponder>());
                host._owned.Add(responder);
                appliers.Insert(2, new GuestApplier(responder));
            }
            sources.Add(new NetworkStatusSource(() => net.Reconciler, bridge.Name));
        }

        if (owned is not null) host._owned.Add(owned);

        var store = new DesiredStateStore(config.StateDir);
        var loaded = store.Load();
        if (loaded.Problem is { } problem) host.LogStateDamaged(problem);
        host.LogLoaded(loaded.Snapshot.Version, loaded.Snapshot.Resources.Count);
        // A damaged file leaves nothing trustworthy to enforce: the loop holds (adopts what runs, stops
        // nothing) until the controller's full state arrives.
        host.Apply = new ApplyLoop(appliers, loaded.Snapshot, config.ReconcileInterval, time, logs.CreateLogger<ApplyLoop>(), loaded.Problem);
        host._owned.Insert(0, host.Apply);
        sources.Add(host.Apply);
        // A background stop or delete ended: act on it now (remove the VM's tap, report its state).
        vms.BackgroundDone += (_, _) => host.Apply.RequestPass();

        var token = config.Controller.TokenFile is { } tf ? File.ReadLines(tf).FirstOrDefault()?.Trim() : null;
        // With a join token the host proves itself with its own certificate (enrolled on first start, renewed in place).
        var credential = config.Controller.JoinTokenFile is not null ? new HostCredential(config.Controller.CertDir) : null;
        var sessionOptions = new SessionOptions
        {
            ControllerUrl = config.Controller.Url,
            ControllerUrls = config.Controller.Urls,
            HostId = config.HostId,
            BootId = ReadBootId(),
            Token = token,
            CaFile = config.Controller.CaFile,
            StatusInterval = config.StatusInterval,
            Credential = credential,
        };
        if (credential is not null)
            host.Enrollment = new HostEnrollment(sessionOptions, credential, config.Controller.JoinTokenFile, time, logs.CreateLogger<HostEnrollment>());
        host.Session = new SouthboundClient(sessionOptions, inventory.ProbeAsync, store, host.Apply, new StatusCollector(sources, logs.CreateLogger<StatusCollector>()), time, logs.CreateLogger<SouthboundClient>())
        {
            // Commands act on what the appliers run; VM membership comes from the held desired state.
            Commands = new HostCommands(volumes, vms, () => host.Apply.Current, images, logs.CreateLogger<HostCommands>()),
        };
        return host;
    }

    /// <summary>Enforces the persisted state once, then runs the session until <paramref name="ct"/> fires.</summary>
    public async Task RunAsync(Action<string> status, CancellationToken ct)
    {
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnFirst(ApplyOutcome _) => first.TrySetResult();
        Apply.Applied += OnFirst;
        Apply.Start();
        if (Apply.Held is { } why) { status($"holding (nothing enforced) until the controller sends a full state: {why}"); first.TrySetResult(); }
        else status($"enforcing the persisted desired state v{Apply.Current.Version}");
        await first.Task.WaitAsync(ct);
        Apply.Applied -= OnFirst;
        if (Enrollment is null)
        {
            await Session.RunAsync(ct);
            return;
        }
        status("getting the host certificate (stored, or enrolling with the join token)");
        await Enrollment.EnsureAsync(ct);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var renewing = Enrollment.RenewLoopAsync(stop.Token);
        try { await Session.RunAsync(ct); }
        finally
        {
            stop.Cancel();
            await renewing;
        }
    }

    /// <summary>Stops the loops and closes connections. VMs, volumes and flows stay as they are.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var d in _owned)
            try { await d.DisposeAsync(); } catch (Exception e) { LogDisposeFailed(d.GetType().Name, e.Message); }
    }

    /// <summary>Taps named by any VM record on disk: a VM being deleted keeps its tap until its qemu is gone.</summary>
    private static IReadOnlySet<string> TapsHeldByVms(VmManager vms) =>
        vms.Store.List().Select(vms.Store.Load).OfType<VmRecord>().SelectMany(r => r.Definition.Nics).Select(n => n.InterfaceName).ToHashSet(StringComparer.Ordinal);

    /// <summary>VMs whose record says they may be running (not down, not stopped on request).</summary>
    private static IEnumerable<string> VmsMaybeRunning(VmManager vms) =>
        vms.Store.List().Select(vms.Store.Load).OfType<VmRecord>().Where(r => r.DownAs is null && !r.StoppedOnRequest).Select(r => r.Definition.Id);

    /// <summary>
    /// Volumes whose sockets a VM that may be running has plugged in (its start disks and hot-plugged
    /// ones); a volume's socket is <see cref="VolumeSocket"/>, so its id is the socket's directory name.
    /// </summary>
    private static IReadOnlySet<string> VolumesHeldByVms(VmManager vms) =>
        vms.Store.List().Select(vms.Store.Load).OfType<VmRecord>().Where(r => r.DownAs is null && !r.StoppedOnRequest)
            .SelectMany(r => r.Definition.DiskSockets.Concat(r.HotDisks.Select(h => h.Socket)))
            .Select(s => Path.GetFileName(Path.GetDirectoryName(s)) ?? "").Where(id => id.Length > 0).ToHashSet(StringComparer.Ordinal);

    private static string ReadBootId()
    {
        try { return File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim(); } catch (IOException) { return ""; }
    }
}
