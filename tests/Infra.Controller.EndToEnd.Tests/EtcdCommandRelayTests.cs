using System.Security.Cryptography;
using Infra.Controller.Api.Tests.Support;
using Infra.Controller.EndToEnd.Tests.Support;
using Infra.Grpc;
using Infra.Store.Etcd.Tests.Support;
using Infra.V1;

namespace Infra.Controller.EndToEnd.Tests;

/// <summary>
/// Two real daemon replicas on one real etcd with a scripted agent connected to replica A: snapshot
/// and export calls made on replica B are relayed to A (CommandRelay, the caller's token passed
/// through) and return the agent's data, a console opened on B streams A's agent output and takes input;
/// once A is killed, B answers UNAVAILABLE instead of hanging.
/// </summary>
public sealed class EtcdCommandRelayTests : EtcdReplicas
{
    static byte[] Bytes(int size, int seed)
    {
        var b = new byte[size];
        new Random(seed).NextBytes(b);
        return b;
    }

    [Fact]
    public async Task AgentOnReplicaA_SnapshotExportAndConsoleCalledOnReplicaB_AreRelayed_ThenAKilled_BAnswersUnavailable()
    {
        var (a, urlA) = await StartReplicaAsync("ctl-a");
        using var _a = a;
        var (b, urlB) = await StartReplicaAsync("ctl-b");
        using var _b = b;
        await using var agent = await ScriptedAgent.ConnectAsync(urlA, "e2e-relay-h1", TempDir.Token);
        var ctl = new CtlSession(urlB, TempDir.Token);

        var tenant = CtlSession.Id(await ctl.JsonAsync("tenant", "create", "acme"));
        var boot = CtlSession.Id(await ctl.JsonAsync("volume", "create", "-t", tenant, "-n", "boot", "--size", "1"));
        var instance = await ctl.JsonAsync("instance", "create", "-t", tenant, "-n", "vm1", "--vcpus", "1", "--cpu-mhz", "1000", "--memory", "512M", "--boot-volume", boot);
        Assert.Equal("e2e-relay-h1", instance.GetProperty("hostId").GetString());

        // Snapshot through B: the agent on A takes it.
        var snap = await ctl.JsonAsync("instance", "snapshot", CtlSession.Id(instance), "--name", "n");
        var snapshot = snap.GetProperty("snapshots")[0];
        Assert.Equal("VOLUME_STATE_AVAILABLE", snapshot.GetProperty("state").GetString());
        Assert.True(snap.GetProperty("quiesced").GetBoolean());
        var snapshotId = CtlSession.Id(snapshot);
        Assert.Equal(snapshotId, Assert.Single(agent.Commands).Snapshot.SnapshotIds.Single());

        // Export through B, of the volume and of the snapshot: the bytes are the agent's, checksum verified by infractl.
        var volumeData = Bytes(3 * 1024 * 1024 + 17, 1);
        var snapshotData = Bytes(2 * 1024 * 1024 + 5, 2);
        agent.Images[boot] = volumeData;
        agent.Images[snapshotId] = snapshotData;
        var r = await ctl.RunAsync("volume", "export", boot, "-f", Dir.Combine("boot.raw"), "--no-progress");
        Assert.True(r.Code == 0, r.ToString());
        Assert.Equal(volumeData, await File.ReadAllBytesAsync(Dir.Combine("boot.raw")));
        r = await ctl.RunAsync("volume", "export", "--snapshot", snapshotId, "-f", Dir.Combine("snap.raw"), "--chunk-size", "65536", "--no-progress");
        Assert.True(r.Code == 0, r.ToString());
        Assert.Equal(snapshotData, await File.ReadAllBytesAsync(Dir.Combine("snap.raw")));
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(snapshotData)), r.Out);

        // The relay is authorized like any API call: without the caller's token, A refuses it.
        using (var bare = GrpcChannel.ForAddress(urlA))
        {
            var relay = new CommandRelay.CommandRelayClient(bare).Run(new RelayCommandRequest
            {
                HostId = "e2e-relay-h1", Command = new Command { Id = "del-x", DeleteSnapshot = new DeleteSnapshotCommand { VolumeId = boot, SnapshotId = snapshotId } },
            });
            var denied = await Assert.ThrowsAsync<RpcException>(async () => { while (await relay.ResponseStream.MoveNext()) { } });
            Assert.Equal(StatusCode.Unauthenticated, denied.StatusCode);
            relay.Dispose();
        }
        Assert.DoesNotContain(agent.Commands, c => c.Id == "del-x");

        using var channel = GrpcChannel.ForAddress(urlB, new GrpcChannelOptions { DefaultHeaders = new Metadata().Add("authorization", "Bearer " + TempDir.Token) });

        // A console opened on B: output relayed from A, input relayed to A as the writer session.
        using (var console = new Instances.InstancesClient(channel).Console(new CallOptions(Timeout: TimeSpan.FromSeconds(60))))
        {
            await console.RequestStream.WriteAsync(new ConsoleRequest { Open = new ConsoleOpen { InstanceId = CtlSession.Id(instance), TailBytes = 4096 } });
            Assert.True(await console.ResponseStream.MoveNext());
            Assert.True(console.ResponseStream.Current.Status.Writer);
            Assert.Contains("GUEST-BOOTED", console.ResponseStream.Current.Data.ToStringUtf8());
            await console.RequestStream.WriteAsync(new ConsoleRequest { Input = Google.Protobuf.ByteString.CopyFromUtf8("echo relayed\n") });
            var seen = "";
            while (!seen.Contains("relayed\r\n") && await console.ResponseStream.MoveNext()) seen += console.ResponseStream.Current.Data.ToStringUtf8();
            Assert.Contains("echo relayed\r\n", seen);
        }
        var log = await ctl.RunAsync("instance", "log", CtlSession.Id(instance));
        Assert.True(log.Code == 0, log.ToString());
        Assert.Contains(agent.Commands, c => c.ConsoleInput is { } i && i.Data.ToStringUtf8() == "echo relayed\n");

        // An export in flight through B when A dies fails UNAVAILABLE; so does the next call.
        agent.StallAfterChunks = 1;
        using var call = new Volumes.VolumesClient(channel).ExportVolume(new ExportVolumeRequest { VolumeId = boot, ChunkSize = 65536 },
            new CallOptions(Timeout: TimeSpan.FromSeconds(60)));
        Assert.True(await call.ResponseStream.MoveNext());
        a.Process.Kill(); // SIGKILL by PID
        await a.Process.WaitForExitAsync();
        var e = await Assert.ThrowsAsync<RpcException>(async () => { while (await call.ResponseStream.MoveNext()) { } });
        Assert.True(e.StatusCode == StatusCode.Unavailable, e.ToString());

        var after = await ctl.RunAsync("volume", "export", boot, "-f", Dir.Combine("late.raw"), "--no-progress");
        Assert.True(after.Code == 8, after.ToString()); // exit 8: unavailable
        Assert.Contains("e2e-relay-h1", after.Err);
        Assert.False(File.Exists(Dir.Combine("late.raw")));
    }
}
