using System.Security.Cryptography;
using Infra.Controller.Api.Tests.Support;
using Grpc.Core;
using Infra.V1;
using static Infra.Controller.Api.Tests.Support.Fixtures;

namespace Infra.Controller.Api.Tests;

/// <summary>
/// Snapshot, export and snapshot deletion through the real services on Kestrel with the real
/// AgentSession: a scripted agent connects over gRPC and answers the commands as the contract says.
/// </summary>
public sealed class AgentCommandsTests : IAsyncLifetime
{
    ApiServer s = null!;
    Tenant t = null!;
    Network n = null!;
    Image img = null!;
    readonly List<ScriptedAgent> _agents = [];

    public async Task InitializeAsync() => await StartAsync();

    async Task StartAsync(uint exportWindow = 0, TimeSpan snapshotTimeout = default)
    {
        s = await ApiServer.StartAsync(southbound: true, exportWindow: exportWindow, snapshotTimeout: snapshotTimeout);
        t = await TenantAsync(s, "t");
        n = await NetworkAsync(s, t.Meta.Id, "n", "10.0.0.0/24");
        img = await ImportAsync(s, "cirros", new byte[4096]);
    }

    public async Task DisposeAsync()
    {
        foreach (var a in _agents) await a.DisposeAsync();
        await s.DisposeAsync();
    }

    async Task<ScriptedAgent> AgentAsync(string host)
    {
        var a = await ScriptedAgent.ConnectAsync(s.Url, host);
        _agents.Add(a);
        return a;
    }

    async Task<Instance> VmAsync(string name) => await s.Instances.CreateInstanceAsync(new CreateInstanceRequest
    {
        TenantId = t.Meta.Id, Name = name, Vcpus = 1, CpuMhz = 1000, MemoryMib = 512,
        Boot = new BootSource { ImageId = img.Meta.Id, SizeGib = 1, DeleteOnTermination = true },
        Ports = { new PortSpec { NetworkId = n.Meta.Id } },
    });

    static byte[] Image(int size)
    {
        var b = new byte[size];
        new Random(size).NextBytes(b);
        return b;
    }

    static async Task<List<ExportChunk>> ReadAllAsync(AsyncServerStreamingCall<ExportChunk> call)
    {
        var chunks = new List<ExportChunk>();
        await foreach (var c in call.ResponseStream.ReadAllAsync()) chunks.Add(c);
        return chunks;
    }

    static async Task UntilAsync(Func<bool> done, string what)
    {
        for (var i = 0; i < 400 && !done(); i++) await Task.Delay(25);
        Assert.True(done(), "timed out waiting for " + what);
    }

    [Fact]
    public async Task SnapshotInstance_AgentTakesIt_RecordsAvailableQuiesced_AndRequestIdReplaysWithoutResending()
    {
        var agent = await AgentAsync("h1");
        var i = await VmAsync("vm");
        var data = await s.Volumes.CreateVolumeAsync(new CreateVolumeRequest { TenantId = t.Meta.Id, Name = "data", SizeGib = 2 });
        await s.Instances.AttachVolumeAsync(new AttachVolumeRequest { Id = i.Meta.Id, VolumeId = data.Meta.Id });

        var snap = await s.Instances.SnapshotInstanceAsync(new SnapshotInstanceRequest { Id = i.Meta.Id, Name = "nightly", RequestId = "s1" });

        Assert.True(snap.Quiesced);
        Assert.Equal(1234UL, snap.FreezeWindowUs);
        Assert.Equal([i.BootVolumeId, data.Meta.Id], snap.Snapshots.Select(x => x.VolumeId));
        Assert.All(snap.Snapshots, x => Assert.Equal((VolumeState.Available, true, 1UL << 20), (x.State, x.Quiesced, x.SizeBytes)));
        var command = Assert.Single(agent.Commands).Snapshot;
        Assert.Equal(snap.Snapshots.Select(x => x.Meta.Id), command.SnapshotIds);
        Assert.Equal(i.Meta.Id, command.InstanceId);
        var stored = await s.Volumes.GetSnapshotAsync(new GetSnapshotRequest { Id = snap.Snapshots[1].Meta.Id });
        Assert.Equal(VolumeState.Available, stored.State);

        var again = await s.Instances.SnapshotInstanceAsync(new SnapshotInstanceRequest { Id = i.Meta.Id, Name = "nightly", RequestId = "s1" });
        Assert.Equal(snap.Snapshots.Select(x => x.Meta.Id).Order(), again.Snapshots.Select(x => x.Meta.Id).Order());
        Assert.Single(agent.Commands); // settled: the retry does not reach the agent
    }

    [Fact]
    public async Task SnapshotInstance_RequireQuiesceButGuestCannotFreeze_FailedPreconditionWithAgentsReason_AndNoRecordsLeft()
    {
        var agent = await AgentAsync("h1");
        agent.QuiesceError = "guest agent did not answer guest-fsfreeze-freeze within 10 s";
        var i = await VmAsync("vm");

        var e = await FailsAsync(StatusCode.FailedPrecondition, () => s.Instances.SnapshotInstanceAsync(
            new SnapshotInstanceRequest { Id = i.Meta.Id, Name = "n", RequireQuiesce = true, RequestId = "q1" }).ResponseAsync);

        Assert.Contains("guest-fsfreeze-freeze", e.Status.Detail);
        Assert.Equal("QUIESCE_FAILED", Details(e).Details.Single().Unpack<Google.Rpc.PreconditionFailure>().Violations[0].Type);
        Assert.True(Assert.Single(agent.Commands).Snapshot.RequireQuiesce);
        Assert.Empty((await s.Volumes.ListSnapshotsAsync(new ListSnapshotsRequest { TenantId = t.Meta.Id })).Snapshots);
        // The request id was released with the records: the same id may now take a crash-consistent snapshot.
        var ok = await s.Instances.SnapshotInstanceAsync(new SnapshotInstanceRequest { Id = i.Meta.Id, Name = "n", RequestId = "q1" });
        Assert.False(ok.Quiesced);
    }

    [Fact]
    public async Task SnapshotInstance_HostTooSlow_DeadlineExceeded_RecordsStayCreating_RetryWithSameRequestIdSettlesThem()
    {
        await s.DisposeAsync();
        await StartAsync(snapshotTimeout: TimeSpan.FromSeconds(1));
        var agent = await AgentAsync("h1");
        agent.HangSnapshots = true;
        var i = await VmAsync("vm");

        var e = await FailsAsync(StatusCode.DeadlineExceeded, () => s.Instances.SnapshotInstanceAsync(new SnapshotInstanceRequest { Id = i.Meta.Id, Name = "n", RequestId = "slow" }).ResponseAsync);
        Assert.Contains("retry with the same request_id", e.Status.Detail);
        var first = Assert.Single(agent.Commands);
        await UntilAsync(() => agent.Controls.Any(c => c.CommandId == first.Id && c.Cancel), "the timed-out command to be cancelled on the agent");
        var pending = Assert.Single((await s.Volumes.ListSnapshotsAsync(new ListSnapshotsRequest { TenantId = t.Meta.Id })).Snapshots);
        Assert.Equal(VolumeState.Creating, pending.State);

        agent.HangSnapshots = false;
        var settled = await s.Instances.SnapshotInstanceAsync(new SnapshotInstanceRequest { Id = i.Meta.Id, Name = "n", RequestId = "slow" });
        Assert.Equal(pending.Meta.Id, Assert.Single(settled.Snapshots).Meta.Id);
        Assert.Equal(VolumeState.Available, settled.Snapshots[0].State);
        var second = agent.Commands.Last();
        Assert.Equal((first.Id, first.Snapshot.SnapshotIds.Single()), (second.Id, second.Snapshot.SnapshotIds.Single())); // the same ids again
    }

    [Fact]
    public async Task Commands_HostNotConnectedAnywhere_UnavailableNamingTheHost()
    {
        await RegisterHostAsync(s, "lonely");
        var i = await VmAsync("vm");
        Assert.Equal("lonely", i.HostId);
        var e = await FailsAsync(StatusCode.Unavailable, () => s.Instances.SnapshotInstanceAsync(new SnapshotInstanceRequest { Id = i.Meta.Id, Name = "n" }).ResponseAsync);
        Assert.Contains("host lonely", e.Status.Detail);
        Assert.Contains("not connected", e.Status.Detail);
        // Outcome unknown: the records stay CREATING for a retry or a delete.
        Assert.All((await s.Volumes.ListSnapshotsAsync(new ListSnapshotsRequest { TenantId = t.Meta.Id })).Snapshots, x => Assert.Equal(VolumeState.Creating, x.State));
    }

    [Fact]
    public async Task CreateSnapshot_CopyPlacedOnItsHost_DeleteRefusedWhileCopyExists_ThenAgentDeletesIt()
    {
        var agent = await AgentAsync("h1");
        var i = await VmAsync("vm");
        var snap = await s.Volumes.CreateSnapshotAsync(new CreateSnapshotRequest { VolumeId = i.BootVolumeId, Name = "s", RequestId = "c1" });
        Assert.Equal(VolumeState.Available, snap.State);
        Assert.Equal(snap.Meta.Id, Assert.Single(agent.Commands.Select(c => c.Snapshot)).SnapshotIds.Single());

        var copy = await s.Volumes.CreateVolumeAsync(new CreateVolumeRequest { TenantId = t.Meta.Id, Name = "copy", SnapshotId = snap.Meta.Id });
        Assert.Equal("h1", copy.HostId);
        var e = await FailsAsync(StatusCode.FailedPrecondition, () => s.Volumes.DeleteSnapshotAsync(new DeleteSnapshotRequest { Id = snap.Meta.Id }).ResponseAsync);
        Assert.Contains(copy.Meta.Id, e.Status.Detail);
        Assert.DoesNotContain(agent.Commands, c => c.OpCase == Command.OpOneofCase.DeleteSnapshot);

        await s.Volumes.DeleteVolumeAsync(new DeleteVolumeRequest { Id = copy.Meta.Id });
        await s.Volumes.DeleteSnapshotAsync(new DeleteSnapshotRequest { Id = snap.Meta.Id });
        var delete = Assert.Single(agent.Commands, c => c.OpCase == Command.OpOneofCase.DeleteSnapshot).DeleteSnapshot;
        Assert.Equal((i.BootVolumeId, snap.Meta.Id), (delete.VolumeId, delete.SnapshotId));
        await FailsAsync(StatusCode.NotFound, () => s.Volumes.GetSnapshotAsync(new GetSnapshotRequest { Id = snap.Meta.Id }).ResponseAsync);
    }

    [Fact]
    public async Task ExportVolume_StreamsTheAgentsChunksInOrder_WithItsSha256_AtTheRequestedChunkSize()
    {
        var agent = await AgentAsync("h1");
        var i = await VmAsync("vm");
        var image = Image(10 * 65536 + 123);
        agent.Images[i.BootVolumeId] = image;

        using var call = s.Volumes.ExportVolume(new ExportVolumeRequest { VolumeId = i.BootVolumeId, ChunkSize = 65536 });
        var chunks = await ReadAllAsync(call);

        Assert.Equal(11, chunks.Count);
        Assert.Equal(image, chunks.SelectMany(c => c.Data.ToByteArray()).ToArray());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(image)), chunks[^1].Sha256);
        var export = Assert.Single(agent.Commands).Export;
        Assert.Equal((i.BootVolumeId, 65536u), (export.SourceId, export.ChunkSize));
    }

    [Fact]
    public async Task ExportVolume_Window1_CompletesWithOneCreditPerChunkTaken()
    {
        // The exact "credit only as the caller reads" sequence is CommandChannelTests' (no HTTP/2
        // buffers between the reader and the credit there); here: the configured window reaches the
        // agent and credit flows back one per chunk until the last.
        await s.DisposeAsync();
        await StartAsync(exportWindow: 1);
        var agent = await AgentAsync("h1");
        var i = await VmAsync("vm");
        var image = Image(6 * 4096);
        agent.Images[i.BootVolumeId] = image;

        using var call = s.Volumes.ExportVolume(new ExportVolumeRequest { VolumeId = i.BootVolumeId, ChunkSize = 4096 });
        var chunks = await ReadAllAsync(call);

        Assert.Equal(image, chunks.SelectMany(c => c.Data.ToByteArray()).ToArray());
        Assert.Equal(1u, Assert.Single(agent.Commands).Export.Window);
        Assert.Equal(5, agent.CreditReceived);
        Assert.All(agent.Controls, c => Assert.Equal(1u, c.Credit));
    }

    [Fact]
    public async Task ExportVolume_AgentDisconnectsMidExport_UnavailableSayingTheHostDisconnected()
    {
        var agent = await AgentAsync("h1");
        var i = await VmAsync("vm");
        agent.Images[i.BootVolumeId] = Image(8 * 4096);
        agent.StallAfterChunks = 2;

        using var call = s.Volumes.ExportVolume(new ExportVolumeRequest { VolumeId = i.BootVolumeId, ChunkSize = 4096 });
        Assert.True(await call.ResponseStream.MoveNext());
        await agent.KillAsync();
        var e = await FailsAsync(StatusCode.Unavailable, async () => { while (await call.ResponseStream.MoveNext()) { } });
        Assert.Contains("host h1 disconnected during the command; retry", e.Status.Detail);
    }

    [Fact]
    public async Task ExportVolume_CallerCancels_AgentReceivesCancelForTheCommand()
    {
        var agent = await AgentAsync("h1");
        var i = await VmAsync("vm");
        agent.Images[i.BootVolumeId] = Image(64 * 4096);
        agent.StallAfterChunks = 1;

        using var cts = new CancellationTokenSource();
        using var call = s.Volumes.ExportVolume(new ExportVolumeRequest { VolumeId = i.BootVolumeId, ChunkSize = 4096 }, new CallOptions(cancellationToken: cts.Token));
        Assert.True(await call.ResponseStream.MoveNext());
        cts.Cancel();

        var id = Assert.Single(agent.Commands).Id;
        await UntilAsync(() => agent.Controls.Any(c => c.CommandId == id && c.Cancel), "CommandControl.cancel");
    }

    [Fact]
    public async Task ExportVolume_AgentIgnoresCredit_ThatExportFails_TheSessionKeepsServing()
    {
        var agent = await AgentAsync("h1");
        var i = await VmAsync("vm");
        agent.Images[i.BootVolumeId] = Image(16 << 20);
        agent.IgnoreCredit = true;

        // 1 MiB chunks and a caller that does not read yet: the handler is stuck writing the first
        // chunk, so the agent's flood runs past its 4 chunks of credit and the controller cancels it.
        using var call = s.Volumes.ExportVolume(new ExportVolumeRequest { VolumeId = i.BootVolumeId, ChunkSize = 1 << 20 });
        await UntilAsync(() => agent.Controls.Any(c => c.Cancel), "the controller to cancel the oversending export");
        Assert.True(agent.ChunksSent > 4);
        var e = await FailsAsync(StatusCode.Internal, () => ReadAllAsync(call));
        Assert.Contains("window of 4 chunks", e.Status.Detail);

        var snap = await s.Instances.SnapshotInstanceAsync(new SnapshotInstanceRequest { Id = i.Meta.Id, Name = "after" });
        Assert.Single(snap.Snapshots);
    }

    [Theory]
    [InlineData(5u << 20)]
    [InlineData(1000u)]
    [InlineData(uint.MaxValue)]
    public async Task ExportVolume_BadChunkSize_InvalidArgumentNamingChunkSize(uint chunkSize)
    {
        var v = await s.Volumes.CreateVolumeAsync(new CreateVolumeRequest { TenantId = t.Meta.Id, Name = "v", SizeGib = 1 });
        var e = await FailsAsync(StatusCode.InvalidArgument, () => ReadAllAsync(s.Volumes.ExportVolume(new ExportVolumeRequest { VolumeId = v.Meta.Id, ChunkSize = chunkSize })));
        Assert.Equal(["chunk_size"], BadFields(e));
    }

    [Fact]
    public async Task ExportVolume_UnplacedVolume_FailedPrecondition()
    {
        var v = await s.Volumes.CreateVolumeAsync(new CreateVolumeRequest { TenantId = t.Meta.Id, Name = "loose", SizeGib = 1 });
        var e = await FailsAsync(StatusCode.FailedPrecondition, () => ReadAllAsync(s.Volumes.ExportVolume(new ExportVolumeRequest { VolumeId = v.Meta.Id })));
        Assert.Contains("not on any host", e.Status.Detail);
        await FailsAsync(StatusCode.FailedPrecondition, () => s.Volumes.CreateSnapshotAsync(new CreateSnapshotRequest { VolumeId = v.Meta.Id, Name = "s" }).ResponseAsync);
    }
}
