using System.Security.Cryptography;
using Infra.Agent.Tests.Daemon;
using Infra.Agent.Tests.Support;
using Infra.V1;
using static Infra.Agent.Tests.Support.Resources;

namespace Infra.Agent.Tests.Commands;

/// <summary>
/// Commands on VMs that do not run guest code, through the real daemon: a VM desired STOPPED (its
/// volume is still served, nothing writes) and a VM desired PAUSED (qemu up with stopped vCPUs).
/// No guest boots, so this class is cheap. Also deletes of the newest snapshot (an active commit).
/// </summary>
public sealed class IdleVmCommandTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ia-idle-").FullName;
    private ControllerServer _server = null!;
    private AgentDaemon _agent = null!;
    private string Pool => Path.Combine(_dir, "pool");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Pool);
        _server = await ControllerServer.StartAsync();
        var stopped = CommandGuestFixture.GuestVm("vms", "vols");
        stopped.Vm.PowerState = InstanceState.Stopped;
        var paused = CommandGuestFixture.GuestVm("vmp", "volp");
        paused.Vm.PowerState = InstanceState.Paused;
        _server.Controller.Script = s => s.Hello.AppliedVersion >= 1 ? Task.CompletedTask
            : s.SendAsync(Full(1, CommandGuestFixture.Volume("vols"), CommandGuestFixture.Volume("volp"), stopped, paused));
        _agent = new AgentDaemon(_server.Url, extraYaml: $"storage_pools: [{{name: p1, path: {Pool}}}]");
        _agent.Start();
        await _server.Controller.WaitForAsync((_, m) => m.Ack?.Version == 1, CommandGuestFixture.Long, "Ack v1");
        await _server.Controller.WaitForAsync((_, m) => m.Status?.Vms.Any(v => v.Id == "vmp" && v.State == InstanceState.Paused) == true, CommandGuestFixture.Long, "vmp paused");
    }

    public async Task DisposeAsync()
    {
        await _agent.DisposeAsync();
        await _server.DisposeAsync();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private async Task<CommandResult> RunAsync(Command c)
    {
        var session = _server.Controller.Sessions.OrderByDescending(kv => kv.Key).First().Value;
        await session.SendAsync(new ControllerMessage { Command = c });
        for (var i = 0; i < 2400; i++)
        {
            var results = _server.Controller.Received.Where(r => r.Message.CommandResult?.CommandId == c.Id).Select(r => r.Message.CommandResult).ToList();
            var chunks = results.Count(r => r.Chunk is not null && !r.Done);
            if (chunks > 0 && i % 10 == 0) await session.SendAsync(new ControllerMessage { Control = new CommandControl { CommandId = c.Id, Credit = 64 } });
            if (results.FirstOrDefault(r => r.Done) is { } done) return done;
            await Task.Delay(25);
        }
        throw new TimeoutException($"command {c.Id} never finished: {_agent.Log()}");
    }

    private static Command Snap(string id, string vm, string volume, string snapshot, bool require = false)
    {
        var s = new SnapshotCommand { InstanceId = vm, RequireQuiesce = require };
        s.VolumeIds.Add(volume);
        s.SnapshotIds.Add(snapshot);
        return new Command { Id = id, Snapshot = s };
    }

    [Fact]
    public async Task StoppedVm_IsCutDirectly_AndCountsAsQuiesced()
    {
        var r = await RunAsync(Snap("i-s1", "vms", "vols", "ss1", require: true));
        Assert.Equal("", r.Error);
        Assert.True(r.Snapshot.Quiesced);
        Assert.Equal(0UL, r.Snapshot.FreezeWindowUs);
        Assert.True(File.Exists(Path.Combine(Pool, "vols@ss1.qcow2")));
    }

    [Fact]
    public async Task PausedVm_IsCutDirectly_CrashConsistent_AndRequireQuiesceRefusesIt()
    {
        Assert.Contains("the VM is paused", (await RunAsync(Snap("i-p0", "vmp", "volp", "sp0", require: true))).Error);
        var r = await RunAsync(Snap("i-p1", "vmp", "volp", "sp1"));
        Assert.Equal("", r.Error);
        Assert.False(r.Snapshot.Quiesced);
        Assert.True(File.Exists(Path.Combine(Pool, "volp@sp1.qcow2")));
        Assert.False(File.Exists(Path.Combine(Pool, "volp@sp0.qcow2")));
    }

    [Fact]
    public async Task DeletingTheNewestThenTheOnlySnapshot_FoldsTheChainBackIntoTheVolumeFile()
    {
        Assert.Equal("", (await RunAsync(Snap("i-d1", "vms", "vols", "sd1"))).Error);
        Assert.Equal("", (await RunAsync(Snap("i-d2", "vms", "vols", "sd2"))).Error);
        var before = await ExportShaAsync("i-d-exp0");

        Assert.Equal("", (await RunAsync(new Command { Id = "i-del2", DeleteSnapshot = new DeleteSnapshotCommand { VolumeId = "vols", SnapshotId = "sd2" } })).Error);
        Assert.Equal("", (await RunAsync(new Command { Id = "i-del1", DeleteSnapshot = new DeleteSnapshotCommand { VolumeId = "vols", SnapshotId = "sd1" } })).Error);
        Assert.DoesNotContain(Directory.GetFiles(Pool, "vols@*.qcow2"), f => f.Contains("@sd"));
        Assert.Equal(before, await ExportShaAsync("i-d-exp1"));
    }

    private async Task<string> ExportShaAsync(string id)
    {
        var r = await RunAsync(new Command { Id = id, Export = new ExportCommand { SourceId = "vols", ChunkSize = 1 << 20, Window = 64 } });
        Assert.Equal("", r.Error);
        return r.Chunk.Sha256;
    }
}
