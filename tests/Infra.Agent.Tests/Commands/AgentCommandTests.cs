using System.Security.Cryptography;
using System.Text;
using Infra.Agent.Tests.Support;
using Infra.V1;
using Xunit.Abstractions;
using static Infra.Agent.Tests.Support.Resources;

namespace Infra.Agent.Tests.Commands;

/// <summary>
/// Commands end to end: the scripted controller sends them to the real agent daemon, which acts on
/// the real storage daemon and the running test guest (guest-agent stand-in, ticking disk).
/// </summary>
[Collection(CommandGuestCollection.Name)]
public sealed class AgentCommandTests(CommandGuestFixture f, ITestOutputHelper output)
{
    private static Command Snapshot(string id, string vm, bool requireQuiesce, params (string Volume, string Snapshot)[] pairs)
    {
        var s = new SnapshotCommand { InstanceId = vm, RequireQuiesce = requireQuiesce };
        s.VolumeIds.AddRange(pairs.Select(p => p.Volume));
        s.SnapshotIds.AddRange(pairs.Select(p => p.Snapshot));
        return new Command { Id = id, Snapshot = s };
    }

    private static Command Export(string id, string source, uint chunk, uint window) =>
        new() { Id = id, Export = new ExportCommand { SourceId = source, ChunkSize = chunk, Window = window } };

    private static Command Delete(string id, string volume, string snapshot) =>
        new() { Id = id, DeleteSnapshot = new DeleteSnapshotCommand { VolumeId = volume, SnapshotId = snapshot } };

    private async Task<CommandResult> RunAsync(Command c)
    {
        await f.SendAsync(c);
        var final = (await f.WaitDoneAsync(c.Id)).Single(r => r.Done);
        return final;
    }

    private async Task<SnapshotInstanceResponse> SnapshotOkAsync(Command c)
    {
        var r = await RunAsync(c);
        Assert.True(r.Error.Length == 0, $"snapshot failed: {r.Error}; log: {f.Agent.Log()}");
        return r.Snapshot;
    }

    /// <summary>Reassembles an export's chunks; checks offsets are contiguous and the sha256 matches the data.</summary>
    private static byte[] Assemble(List<CommandResult> results)
    {
        Assert.All(results, r => Assert.True(r.Error.Length == 0, r.Error));
        var chunks = results.Where(r => r.Chunk is not null).Select(r => r.Chunk).ToList();
        using var data = new MemoryStream();
        foreach (var c in chunks)
        {
            Assert.Equal((ulong)data.Length, c.Offset);
            c.Data.WriteTo(data);
            Assert.Equal((ulong)data.Length, c.DoneBytes);
        }
        var last = results.Single(r => r.Done).Chunk;
        Assert.Equal(last.TotalBytes, (ulong)data.Length);
        Assert.All(chunks.SkipLast(1), c => Assert.Equal("", c.Sha256));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(data.ToArray())), last.Sha256);
        return data.ToArray();
    }

    private static string FirstLine(byte[] image) => Encoding.ASCII.GetString(image, 0, 64).Split('\n', '\0')[0];

    [Fact]
    public async Task Snapshot_OfRunningGuest_IsQuiescedWithFreezeWindow_AndNamedBySnapshotId()
    {
        var top = f.Overlays().Count;
        var r = await SnapshotOkAsync(Snapshot("c-snap-q", "vm1", requireQuiesce: true, ("vol1", "sq1")));

        Assert.True(r.Quiesced);
        Assert.True(r.FreezeWindowUs > 0);
        var s = Assert.Single(r.Snapshots);
        Assert.Equal(("sq1", "vol1", 32UL << 20, true), (s.Meta.Id, s.VolumeId, s.SizeBytes, s.Quiesced));
        await f.WaitSerialAsync("GUEST-QGA-CALL guest-fsfreeze-thaw", TimeSpan.FromSeconds(10));
        // The overlay cut at sq1 is vol1@sq1.qcow2, and it is the active image now (the chain grew by one).
        var overlay = Path.Combine(f.Pool, "vol1@sq1.qcow2");
        Assert.True(File.Exists(overlay));
        Assert.Equal(top + 1, f.Overlays().Count);
        Assert.NotNull(CommandGuestFixture.BackingOf(overlay));
    }

    [Fact]
    public async Task Snapshot_RetriedWithTheSameIds_AnswersTheSameWithoutCuttingAgain()
    {
        var first = await SnapshotOkAsync(Snapshot("c-retry-1", "vm1", false, ("vol1", "sr1")));
        var overlays = f.Overlays();
        var again = await SnapshotOkAsync(Snapshot("c-retry-2", "vm1", false, ("vol1", "sr1")));
        Assert.Equal(first, again);
        Assert.Equal(overlays, f.Overlays());
    }

    [Fact]
    public async Task ExportSnapshot_StreamsTheRawImage_WhoseSha256MatchesQemuImgsReadOfIt()
    {
        await SnapshotOkAsync(Snapshot("c-exp-snap", "vm1", false, ("vol1", "se1")));
        var sw = System.Diagnostics.Stopwatch.StartNew();
        await f.SendAsync(Export("c-exp-1", "se1", chunk: 1 << 20, window: 8));
        var data = Assemble(await f.WaitDoneAsync("c-exp-1"));
        output.WriteLine($"exported {data.Length >> 20} MiB in {sw.ElapsedMilliseconds} ms: {data.Length / 1048576.0 / sw.Elapsed.TotalSeconds:F1} MiB/s (controller polls every 10 ms)");

        // The host's own reading of the snapshot's image (its backing chain resolved) must be byte-identical.
        var image = CommandGuestFixture.BackingOf(Path.Combine(f.Pool, "vol1@se1.qcow2"))!;
        var raw = Path.Combine(Path.GetTempPath(), $"ia-cmd-{Guid.NewGuid():N}.raw");
        try
        {
            CommandGuestFixture.Run("qemu-img", "convert", "-U", "-O", "raw", image, raw);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(raw))), Convert.ToHexStringLower(SHA256.HashData(data)));
        }
        finally { File.Delete(raw); }
        Assert.StartsWith("TICK-", FirstLine(data));
    }

    [Fact]
    public async Task ExportVolume_WithWindowOne_WaitsForCredit_ThenFoldsItsTemporaryCutBack()
    {
        var overlays = f.Overlays();
        await f.SendAsync(Export("c-exp-w1", "vol1", chunk: 1 << 20, window: 1));
        await WaitResultsAsync("c-exp-w1", 1);
        // No credit granted: the agent must not send a second chunk.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Single(f.Results("c-exp-w1"));
        await f.ControlAsync("c-exp-w1", credit: 1);
        await WaitResultsAsync("c-exp-w1", 2);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(2, f.Results("c-exp-w1").Count);

        var data = Assemble(await f.WaitDoneAsync("c-exp-w1"));
        Assert.Equal(32 << 20, data.Length);
        Assert.StartsWith("TICK-", FirstLine(data));
        // The temporary cut (vol1@~x-…) was committed back and removed.
        await WaitOverlaysAsync(overlays);
    }

    [Fact]
    public async Task Export_CancelledMidway_EndsWithCancelled_AndLeavesNoTemporaryCut()
    {
        var overlays = f.Overlays();
        await f.SendAsync(Export("c-exp-cancel", "vol1", chunk: 1 << 20, window: 1));
        await WaitResultsAsync("c-exp-cancel", 1);
        await f.ControlAsync("c-exp-cancel", cancel: true);
        var final = (await f.WaitDoneAsync("c-exp-cancel", grantCredit: false)).Single(r => r.Done);
        Assert.Equal("cancelled", final.Error);
        Assert.Null(final.Chunk);
        await WaitOverlaysAsync(overlays);
    }

    [Fact]
    public async Task DeleteSnapshot_KeepsTheGuestsData_ShortensTheChain_AndIsIdempotent()
    {
        await SnapshotOkAsync(Snapshot("c-del-a", "vm1", false, ("vol1", "sd1")));
        await Task.Delay(TimeSpan.FromSeconds(1));
        await SnapshotOkAsync(Snapshot("c-del-b", "vm1", false, ("vol1", "sd2")));
        var sd1Image = CommandGuestFixture.BackingOf(Path.Combine(f.Pool, "vol1@sd1.qcow2"));
        var before = f.Overlays().Count;

        var r = await RunAsync(Delete("c-del-1", "vol1", "sd1"));
        Assert.True(r.Error.Length == 0, r.Error + f.Agent.Log());
        Assert.False(File.Exists(Path.Combine(f.Pool, "vol1@sd1.qcow2")));
        Assert.Equal(before - 1, f.Overlays().Count);
        // sd2 is still findable, its overlay now backs onto sd1's old image.
        Assert.Equal(sd1Image, CommandGuestFixture.BackingOf(Path.Combine(f.Pool, "vol1@sd2.qcow2")));

        // The guest's data is intact and it keeps writing: a live export still starts with a tick, a later one than before.
        var data = Assemble(await RunExportAsync("c-del-exp", "vol1"));
        Assert.StartsWith("TICK-", FirstLine(data));
        Assert.Equal("", (await RunAsync(Delete("c-del-2", "vol1", "sd1"))).Error);
    }

    [Fact]
    public async Task VolumeFromSnapshot_IsAClone_AndTheSnapshotCannotBeDeletedWhileItExists()
    {
        await SnapshotOkAsync(Snapshot("c-clone-s", "vm1", false, ("vol1", "sc1")));
        var image = CommandGuestFixture.BackingOf(Path.Combine(f.Pool, "vol1@sc1.qcow2"));
        await f.Session.SendAsync(Delta(2, 1, [CommandGuestFixture.Volume("vol2", sourceSnapshot: "sc1")]));
        await f.Server.Controller.WaitForAsync((_, m) => m.Ack?.Version == 2 || m.Nack?.Version == 2, CommandGuestFixture.Long, "v2 applied");
        Assert.DoesNotContain(f.Server.Controller.Received, x => x.Message.Nack?.Version == 2);
        Assert.Equal(image, CommandGuestFixture.BackingOf(Path.Combine(f.Pool, "vol2.qcow2")));

        // The clone reads the snapshot's data.
        var clone = Assemble(await RunExportAsync("c-clone-exp", "vol2"));
        var snap = Assemble(await RunExportAsync("c-clone-exp-s", "sc1"));
        Assert.Equal(SHA256.HashData(snap), SHA256.HashData(clone));

        var refused = await RunAsync(Delete("c-clone-del", "vol1", "sc1"));
        Assert.Contains("vol2.qcow2", refused.Error);
        Assert.True(File.Exists(Path.Combine(f.Pool, "vol1@sc1.qcow2")));
    }

    [Fact]
    public async Task Snapshot_AfterTheAgentWasKilledAndRestarted_UsesTheAdoptedVm_AndARetryAnswersAsBefore()
    {
        var before = await SnapshotOkAsync(Snapshot("c-restart-0", "vm1", requireQuiesce: true, ("vol1", "sk0")));
        var overlays = f.Overlays();
        // Killed in the middle of an export: its temporary cut stays in the chain for now.
        await f.SendAsync(Export("c-restart-exp", "vol1", chunk: 1 << 20, window: 1));
        await WaitResultsAsync("c-restart-exp", 1);
        var sessions = f.Server.Controller.Sessions.Count;
        await f.Agent.KillAsync();
        Assert.Contains(f.Overlays(), o => o.Contains("@~x-"));
        f.Agent.Start(env: f.Env);
        await f.Server.Controller.WaitForAsync((s, m) => s > sessions && m.Hello is not null, CommandGuestFixture.Long, "Hello after restart");
        // Commands go to the new session once it is up.
        await f.Server.Controller.WaitForAsync((s, m) => s > sessions && m.Status is not null, CommandGuestFixture.Long, "status after restart");

        // The VM's volumes are known from the held desired state: no VM restart needed.
        var r = await SnapshotOkAsync(Snapshot("c-restart", "vm1", requireQuiesce: true, ("vol1", "sk1")));
        Assert.True(r.Quiesced);
        Assert.True(File.Exists(Path.Combine(f.Pool, "vol1@sk1.qcow2")));
        // A retry of the snapshot taken by the previous agent process answers exactly as then (marks on the overlay).
        Assert.Equal(before, await SnapshotOkAsync(Snapshot("c-restart-retry", "vm1", requireQuiesce: true, ("vol1", "sk0"))));

        // The next export of the volume folds the killed agent's leftover cut back.
        Assert.StartsWith("TICK-", FirstLine(Assemble(await RunExportAsync("c-restart-exp2", "vol1"))));
        await WaitOverlaysAsync(overlays.Append(Path.Combine(f.Pool, "vol1@sk1.qcow2")).Order().ToList());
    }

    [Fact]
    public async Task Snapshot_OfALoneVolume_IsACrashConsistentDirectCut_AndRequireQuiesceRefusesIt()
    {
        var refused = await RunAsync(Snapshot("c-lone-q", "", requireQuiesce: true, ("vol3", "sl0")));
        Assert.Contains("requires a quiesced guest", refused.Error);
        Assert.False(File.Exists(Path.Combine(f.Pool, "vol3@sl0.qcow2")));

        var r = await SnapshotOkAsync(Snapshot("c-lone", "", requireQuiesce: false, ("vol3", "sl1")));
        Assert.False(r.Quiesced);
        Assert.Equal(0UL, r.FreezeWindowUs);
        Assert.Equal(Path.Combine(f.Pool, "vol3.qcow2"), CommandGuestFixture.BackingOf(Path.Combine(f.Pool, "vol3@sl1.qcow2")));
        var data = Assemble(await RunExportAsync("c-lone-exp", "sl1"));
        Assert.Equal(32 << 20, data.Length);
        Assert.All(data, b => Assert.Equal(0, b));
    }

    [Fact]
    public async Task BadCommands_FailWithAnErrorSayingWhy_AndCutNothing()
    {
        var overlays = f.Overlays();
        var bad = Snapshot("c-bad-1", "vm1", false, ("vol1", "bad/id"));
        bad.Snapshot.SnapshotIds.Add("extra");
        var r = await RunAsync(bad);
        Assert.Contains("pair by index", r.Error);
        Assert.Contains("snapshot id 'bad/id'", r.Error);
        Assert.Contains("is not served on this host", (await RunAsync(Snapshot("c-bad-2", "", false, ("nope", "sx1")))).Error);
        Assert.Contains("neither a volume served on this host nor a snapshot", (await RunAsync(Export("c-bad-3", "nothing", 0, 0))).Error);
        Assert.Equal(overlays, f.Overlays());
    }

    private async Task<List<CommandResult>> RunExportAsync(string id, string source)
    {
        await f.SendAsync(Export(id, source, chunk: 1 << 20, window: 4));
        return await f.WaitDoneAsync(id);
    }

    private async Task WaitResultsAsync(string id, int count)
    {
        for (var i = 0; i < 1200 && f.Results(id).Count < count; i++) await Task.Delay(50);
        Assert.True(f.Results(id).Count >= count, $"fewer than {count} results for {id}: {f.Agent.Log()}");
    }

    private async Task WaitOverlaysAsync(IReadOnlyList<string> expected)
    {
        for (var i = 0; i < 600 && !f.Overlays().SequenceEqual(expected); i++) await Task.Delay(50);
        Assert.Equal(expected, f.Overlays());
    }
}
