using System.Collections.Concurrent;
using System.Security.Cryptography;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Infra.V1;

namespace Infra.Controller.Api.Tests.Support;

/// <summary>
/// A test peer speaking AgentSession over Grpc.Net.Client and answering commands as the contract
/// says: snapshots with one Snapshot per volume, exports as RAW chunks paced by the window and the
/// controller's credit (sha256 on the last chunk, done on the last result), deletes with done. It
/// records every command and control it receives. Behaviours tests need: refuse to quiesce, ignore
/// credit (oversend), stall an export after some chunks, drop the connection.
/// </summary>
public sealed partial class ScriptedAgent : IAsyncDisposable
{
    readonly GrpcChannel _channel;
    readonly AsyncDuplexStreamingCall<AgentMessage, ControllerMessage> _call;
    readonly CancellationTokenSource _cts = new();
    readonly SemaphoreSlim _write = new(1, 1);
    readonly ConcurrentDictionary<string, Export> _exports = new();
    readonly Task _reader;
    readonly TaskCompletionSource<Welcome> _welcome = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string HostId { get; }
    public ConcurrentQueue<Command> Commands { get; } = new();
    public ConcurrentQueue<CommandControl> Controls { get; } = new();
    /// <summary>Source id -> RAW bytes served by exports (unknown ids get an error result).</summary>
    public ConcurrentDictionary<string, byte[]> Images { get; } = new();
    public string? QuiesceError { get; set; }
    /// <summary>Leave snapshot commands unanswered (a host that is stuck).</summary>
    public bool HangSnapshots { get; set; }
    public bool IgnoreCredit { get; set; }
    /// <summary>Stop sending an export's data after this many chunks (the command then hangs until cancelled).</summary>
    public int? StallAfterChunks { get; set; }
    public int ChunksSent => _exports.Values.Sum(e => e.Sent);
    public int CreditReceived => Controls.Where(c => c.Credit > 0).Sum(c => (int)c.Credit);
    public Exception? ReaderFailure { get; private set; }

    /// <summary>Ends when the controller ends the session (<see cref="ReaderFailure"/> then says how).</summary>
    public Task Ended => _reader;

    ScriptedAgent(string url, string? token, string hostId)
        : this(GrpcChannel.ForAddress(url, token is null ? new GrpcChannelOptions() : new GrpcChannelOptions { Credentials = ChannelCredentials.Create(ChannelCredentials.Insecure, CallCredentials.FromInterceptor((_, m) => { m.Add("authorization", "Bearer " + token); return Task.CompletedTask; })), UnsafeUseInsecureChannelCallCredentials = true }), hostId)
    {
    }

    ScriptedAgent(GrpcChannel channel, string hostId)
    {
        HostId = hostId;
        _channel = channel;
        _call = new AgentSession.AgentSessionClient(_channel).Connect(new CallOptions(cancellationToken: _cts.Token));
        _reader = Task.Run(ReadAsync);
    }

    public static Task<ScriptedAgent> ConnectAsync(string url, string hostId, string? token = null, string tunnelIp = "192.0.2.1") =>
        HelloAsync(new ScriptedAgent(url, token, hostId), hostId, tunnelIp);

    /// <summary>Over a channel of the test's making (TLS with a client certificate); the agent disposes it.</summary>
    public static Task<ScriptedAgent> ConnectAsync(GrpcChannel channel, string hostId, string tunnelIp = "192.0.2.1") =>
        HelloAsync(new ScriptedAgent(channel, hostId), hostId, tunnelIp);

    static async Task<ScriptedAgent> HelloAsync(ScriptedAgent a, string hostId, string tunnelIp)
    {
        var inventory = new HostInventory
        {
            Cores = 16, MhzPerCore = 2000, MemoryMib = 65536, TunnelIp = tunnelIp, KvmAvailable = true, Arch = "x86_64", Hostname = hostId, AgentVersion = "scripted",
        };
        inventory.StoragePools.Add(new StoragePool { Name = "default", CapacityBytes = 1UL << 40, FreeBytes = 1UL << 40 });
        await a.SendAsync(new AgentMessage { Hello = new Hello { HostId = hostId, Inventory = inventory, BootId = "boot-" + hostId } });
        await a._welcome.Task.WaitAsync(TimeSpan.FromSeconds(20));
        return a;
    }

    async Task SendAsync(AgentMessage m)
    {
        await _write.WaitAsync(_cts.Token);
        try { await _call.RequestStream.WriteAsync(m, _cts.Token); }
        finally { _write.Release(); }
    }

    async Task ReadAsync()
    {
        try
        {
            while (await _call.ResponseStream.MoveNext(_cts.Token))
            {
                var m = _call.ResponseStream.Current;
                switch (m.MsgCase)
                {
                    case ControllerMessage.MsgOneofCase.Welcome: _welcome.TrySetResult(m.Welcome); break;
                    case ControllerMessage.MsgOneofCase.Desired: await SendAsync(new AgentMessage { Ack = new Ack { Version = m.Desired.Version } }); break;
                    case ControllerMessage.MsgOneofCase.Command: Commands.Enqueue(m.Command); _ = Task.Run(() => RunAsync(m.Command)); break;
                    case ControllerMessage.MsgOneofCase.Control:
                        Controls.Enqueue(m.Control);
                        if (_exports.TryGetValue(m.Control.CommandId, out var e)) e.Control(m.Control);
                        break;
                }
            }
        }
        catch (Exception e) { ReaderFailure = e; _welcome.TrySetException(e); }
    }

    async Task RunAsync(Command c)
    {
        try
        {
            switch (c.OpCase)
            {
                case Command.OpOneofCase.Snapshot: if (!HangSnapshots) await SendAsync(Result(SnapshotResult(c))); break;
                case Command.OpOneofCase.DeleteSnapshot: await SendAsync(Result(new CommandResult { CommandId = c.Id, Done = true })); break;
                case Command.OpOneofCase.Export: await ExportAsync(c); break;
                case Command.OpOneofCase.Console: await ConsoleAsync(c); break;
                case Command.OpOneofCase.ConsoleInput: await SendAsync(Result(ConsoleInput(c))); break;
                case Command.OpOneofCase.ConsoleLog: await SendAsync(Result(new CommandResult { CommandId = c.Id, Done = true, ConsoleLog = ConsoleLogTail(c.ConsoleLog) })); break;
            }
        }
        catch (Exception) when (_cts.IsCancellationRequested) { }
    }

    static AgentMessage Result(CommandResult r) => new() { CommandResult = r };

    CommandResult SnapshotResult(Command c)
    {
        if (c.Snapshot.RequireQuiesce && QuiesceError is { } why) return new CommandResult { CommandId = c.Id, Error = why, Done = true };
        var taken = new SnapshotInstanceResponse { Quiesced = QuiesceError is null, FreezeWindowUs = 1234 };
        for (var i = 0; i < c.Snapshot.VolumeIds.Count; i++)
            taken.Snapshots.Add(new Snapshot { Meta = new ObjectMeta { Id = c.Snapshot.SnapshotIds[i] }, VolumeId = c.Snapshot.VolumeIds[i], SizeBytes = 1 << 20, Quiesced = QuiesceError is null });
        return new CommandResult { CommandId = c.Id, Snapshot = taken, Done = true };
    }

    async Task ExportAsync(Command c)
    {
        if (!Images.TryGetValue(c.Export.SourceId, out var data))
        {
            await SendAsync(Result(new CommandResult { CommandId = c.Id, Error = $"no volume or snapshot {c.Export.SourceId} on this host", Done = true }));
            return;
        }
        var e = _exports[c.Id] = new Export(c.Export.Window == 0 ? 4 : (int)c.Export.Window);
        var size = (int)(c.Export.ChunkSize == 0 ? 1 << 20 : c.Export.ChunkSize);
        var sha = Convert.ToHexStringLower(SHA256.HashData(data));
        for (var off = 0; off < data.Length; off += size)
        {
            if (StallAfterChunks is { } stall && e.Sent >= stall) { await e.Cancelled.Task.WaitAsync(_cts.Token); break; }
            if (!IgnoreCredit && !await e.TakeCreditAsync(_cts.Token)) break;
            if (e.Cancelled.Task.IsCompleted) break;
            var n = Math.Min(size, data.Length - off);
            var last = off + n >= data.Length;
            var chunk = new ExportChunk { Offset = (ulong)off, Data = ByteString.CopyFrom(data, off, n), TotalBytes = (ulong)data.Length, DoneBytes = (ulong)(off + n) };
            if (last) chunk.Sha256 = sha;
            Interlocked.Increment(ref e.Sent);
            await SendAsync(Result(new CommandResult { CommandId = c.Id, Chunk = chunk, Done = last }));
        }
        if (e.Cancelled.Task.IsCompleted) await SendAsync(Result(new CommandResult { CommandId = c.Id, Error = "cancelled", Done = true }));
    }

    /// <summary>Drops the connection without a goodbye (RST_STREAM), as a crashed agent would.</summary>
    public async Task KillAsync()
    {
        _cts.Cancel();
        try { await _reader; } catch (Exception) { }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _call.Dispose();
        _channel.Dispose();
    }

    sealed class Export(int window)
    {
        readonly SemaphoreSlim _credit = new(window);
        public int Sent;
        public readonly TaskCompletionSource Cancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Control(CommandControl c)
        {
            if (c.Credit > 0) _credit.Release((int)c.Credit);
            if (c.Cancel) { Cancelled.TrySetResult(); _credit.Release(); }
        }

        public async Task<bool> TakeCreditAsync(CancellationToken ct)
        {
            await _credit.WaitAsync(ct);
            return true;
        }
    }
}
