using System.Collections.Concurrent;
using Infra.Agent.Core.Apply;
using Infra.Agent.Core.Session;
using Infra.Agent.Core.State;
using Infra.Agent.Core.Status;
using Infra.Agent.Tests.Support;
using Infra.V1;
using Microsoft.Extensions.Logging.Abstractions;

namespace Infra.Agent.Tests.Session;

/// <summary>An applier that records what it was asked to apply; the session, not the reconcilers, is under test here.</summary>
public sealed class RecordingApplier : IResourceApplier
{
    public ConcurrentQueue<DesiredSnapshot> Applied { get; } = new();
    public Func<DesiredSnapshot, IReadOnlyList<ResourceError>> Errors { get; set; } = _ => [];
    /// <summary>When set, a non-periodic pass of this version waits for <see cref="Gate"/>.</summary>
    public ulong? HoldVersion { get; set; }
    public SemaphoreSlim Gate { get; } = new(0);
    public string Name => "recording";

    public async Task<IReadOnlyList<ResourceError>> ApplyAsync(DesiredSnapshot snapshot, bool periodic, CancellationToken ct)
    {
        if (!periodic) Applied.Enqueue(snapshot);
        if (!periodic && snapshot.Version == HoldVersion) await Gate.WaitAsync(ct);
        return Errors(snapshot);
    }
}

/// <summary>A status source reporting one VM.</summary>
public sealed class OneVmSource : IStatusSource
{
    public InstanceState State { get; set; } = InstanceState.Running;
    public Task CollectAsync(StatusReport report, CancellationToken ct)
    {
        report.Vms.Add(new VmStatus { Id = "vm-a", State = State, Pid = 42 });
        return Task.CompletedTask;
    }
}

/// <summary>Scripted controller + a SouthboundClient over a temp state dir, cleaned up on dispose.</summary>
public sealed class SessionHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _run = Task.CompletedTask;
    public string Dir { get; } = Directory.CreateTempSubdirectory("infra-agent-session-").FullName;
    public ControllerServer Server { get; private set; } = null!;
    public ScriptedController Controller => Server.Controller;
    public RecordingApplier Applier { get; } = new();
    public OneVmSource Vms { get; } = new();
    public DesiredStateStore Store { get; private set; } = null!;
    public ApplyLoop Loop { get; private set; } = null!;
    public SouthboundClient Client { get; private set; } = null!;

    /// <param name="arrange">Sets the applier up (a hold, errors) before the loop and the session start,
    /// so the first state the controller sends already meets it.</param>
    public static async Task<SessionHarness> StartAsync(Func<ScriptedSession, Task> script, bool tls = false, Action<RecordingApplier>? arrange = null)
    {
        var h = new SessionHarness();
        arrange?.Invoke(h.Applier);
        h.Server = await ControllerServer.StartAsync(tls);
        string? ca = null;
        if (h.Server.Certificate is { } cert)
        {
            ca = Path.Combine(h.Dir, "ca.pem");
            File.WriteAllText(ca, cert.ExportCertificatePem());
        }
        h.Controller.Script = script;
        h.Store = new DesiredStateStore(h.Dir);
        h.Loop = new ApplyLoop([h.Applier], h.Store.Load().Snapshot, TimeSpan.FromMinutes(10), TimeProvider.System, NullLogger.Instance);
        h.Client = new SouthboundClient(new SessionOptions
        {
            ControllerUrl = h.Server.Url,
            CaFile = ca,
            Token = "t0ken",
            HostId = "host-1",
            BootId = "boot-1",
            MinBackoff = TimeSpan.FromMilliseconds(50),
            MaxBackoff = TimeSpan.FromMilliseconds(300),
            StatusInterval = TimeSpan.FromMilliseconds(100),
        }, _ => Task.FromResult(new HostInventory { Cores = 2, MhzPerCore = 2000, TunnelIp = "10.0.0.1" }), h.Store, h.Loop,
            new StatusCollector([h.Vms], NullLogger.Instance), TimeProvider.System, NullLogger<SouthboundClient>.Instance);
        h.Loop.Start();
        h._run = h.Client.RunAsync(h._stop.Token);
        return h;
    }

    public static TimeSpan Timeout => TimeSpan.FromSeconds(15);

    public Task<(int Session, AgentMessage Message)> WaitAckAsync(ulong version, int? session = null) =>
        Controller.WaitForAsync((s, m) => m.Ack?.Version == version && (session is null || s == session), Timeout, $"Ack v{version}");

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _run.WaitAsync(TimeSpan.FromSeconds(10)); } catch (Exception) { }
        await Loop.DisposeAsync();
        await Server.DisposeAsync();
        Directory.Delete(Dir, recursive: true);
    }
}
