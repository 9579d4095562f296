using System.Diagnostics;
using Infra.Agent.Tests.Daemon;
using Infra.Agent.Tests.Support;
using Infra.TestGuest;
using Infra.V1;
using static Infra.Agent.Tests.Support.Resources;

namespace Infra.Agent.Tests.Commands;

/// <summary>
/// One real infra-agent serving one real test guest (TCG) on one qcow2 volume (plus vol3, a lone volume no VM uses), shared by the
/// command tests (guest boots are slow). The guest runs the guest-agent stand-in and writes
/// "TICK-n" at offset 0 of its disk every 0.3 s. The controller is the scripted one; tests send
/// commands on its latest session and read the agent's results.
/// </summary>
public sealed class CommandGuestFixture : IAsyncLifetime
{
    public static readonly TimeSpan Long = TimeSpan.FromSeconds(120);
    private readonly string _dir = Directory.CreateTempSubdirectory("ia-cmd-").FullName;
    public ControllerServer Server { get; private set; } = null!;
    public AgentDaemon Agent { get; private set; } = null!;
    public string Pool => Path.Combine(_dir, "pool");
    public string VolumeFile => Path.Combine(Pool, "vol1.qcow2");
    public IReadOnlyDictionary<string, string> Env { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var image = await TestGuestImage.EnsureBuiltAsync();
        Directory.CreateDirectory(Pool);
        Server = await ControllerServer.StartAsync();
        Server.Controller.Script = s => s.Hello.AppliedVersion >= 1 ? Task.CompletedTask : s.SendAsync(Full(1, Volume("vol1"), Volume("vol3"), GuestVm("vm1", "vol1")));
        Agent = new AgentDaemon(Server.Url, extraYaml: $"storage_pools: [{{name: p1, path: {Pool}}}]");
        Env = new Dictionary<string, string>
        {
            ["INFRA_AGENT_TEST_GUEST_KERNEL"] = image.Kernel,
            ["INFRA_AGENT_TEST_GUEST_INITRD"] = image.Initrd,
            ["INFRA_AGENT_TEST_GUEST_APPEND"] = "console=ttyS0 panic=-1 quiet no_timer_check infra.qga=1 infra.tick=1",
        };
        try
        {
            Agent.Start(env: Env);
            await Server.Controller.WaitForAsync((_, m) => m.Ack?.Version == 1, Long, "Ack v1");
            await WaitSerialAsync("GUEST-QGA port=/dev", Long);
            // A few ticks on disk before anything is cut.
            await WaitSerialAsync("GUEST-BOOTED", Long);
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
        catch (Exception e)
        {
            await DisposeAsync();
            throw new InvalidOperationException($"fixture failed: {e.Message}; agent log: {Agent.Log()}", e);
        }
    }

    public async Task DisposeAsync()
    {
        await Agent.DisposeAsync();
        await Server.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    public static Resource Volume(string id, string sourceSnapshot = "") => new()
    {
        Volume = new VolumeSpec { Id = id, SizeBytes = 32 << 20, SourceSnapshotId = sourceSnapshot, Backend = new VolumeBackend { Local = new LocalBackend { Format = DiskFormat.Qcow2 } } },
    };

    public static Resource GuestVm(string id, params string[] volumes)
    {
        var r = Vm(id);
        // A whole core and enough memory for the test guest's kernel under TCG.
        (r.Vm.CpuMhz, r.Vm.MemoryMib) = (2000, 256);
        r.Vm.VolumeIds.AddRange(volumes);
        return r;
    }

    public string SerialLog() { try { return File.ReadAllText(Path.Combine(Agent.StateDir, "vms", "vm1", "serial.log")); } catch (IOException) { return ""; } }

    public async Task WaitSerialAsync(string marker, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (!SerialLog().Contains(marker))
        {
            if (sw.Elapsed > timeout) throw new TimeoutException($"guest never printed {marker}; serial: {SerialLog()}");
            await Task.Delay(100);
        }
    }

    /// <summary>The latest session (after a restart, the new one).</summary>
    public ScriptedSession Session => Server.Controller.Sessions.OrderByDescending(kv => kv.Key).First().Value;

    public Task SendAsync(Command c) => Session.SendAsync(new ControllerMessage { Command = c });

    public Task ControlAsync(string id, uint credit = 0, bool cancel = false) =>
        Session.SendAsync(new ControllerMessage { Control = new CommandControl { CommandId = id, Credit = credit, Cancel = cancel } });

    /// <summary>Every result received so far for command <paramref name="id"/>, in order.</summary>
    public List<CommandResult> Results(string id) =>
        Server.Controller.Received.Where(r => r.Message.CommandResult?.CommandId == id).Select(r => r.Message.CommandResult).ToList();

    /// <summary>Waits for the final result of <paramref name="id"/>, granting one credit per data chunk received (a controller that keeps up).</summary>
    public async Task<List<CommandResult>> WaitDoneAsync(string id, bool grantCredit = true)
    {
        var sw = Stopwatch.StartNew();
        var credited = 0;
        while (sw.Elapsed < Long)
        {
            var results = Results(id);
            if (results.Any(r => r.Done)) return results;
            var chunks = results.Count(r => r.Chunk is not null);
            if (grantCredit && chunks > credited) { await ControlAsync(id, credit: (uint)(chunks - credited)); credited = chunks; }
            await Task.Delay(10);
        }
        throw new TimeoutException($"command {id} never finished; got {Results(id).Count} results; agent log: {Agent.Log()}");
    }

    public static string Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEnd();
        if (!p.WaitForExit(60_000)) { p.Kill(); throw new TimeoutException($"{file} hung"); }
        return p.ExitCode == 0 ? output.Result : throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {error}");
    }

    /// <summary>qemu-img's view of an image's backing file (absolute), or null.</summary>
    public static string? BackingOf(string image)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(Run("qemu-img", "info", "-U", "--output=json", image));
        return doc.RootElement.TryGetProperty("backing-filename", out var b) ? Path.GetFullPath(b.GetString()!, Path.GetDirectoryName(image)!) : null;
    }

    public IReadOnlyList<string> Overlays() => Directory.GetFiles(Pool, "vol1@*.qcow2").Order().ToList();
}

[CollectionDefinition(Name)]
public sealed class CommandGuestCollection : ICollectionFixture<CommandGuestFixture>
{
    public const string Name = "agent command guest";
}
