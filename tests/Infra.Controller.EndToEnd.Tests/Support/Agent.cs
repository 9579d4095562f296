using System.Threading.Channels;
using Infra.Controller.Southbound.Desired;
using Grpc.Core;
using Grpc.Net.Client;
using Infra.V1;

namespace Infra.Controller.EndToEnd.Tests.Support;

/// <summary>
/// Plays an agent with the generated AgentSession client: Hello with an inventory, then applies every
/// DesiredState (full or delta) to what it holds, as the contract says.
/// </summary>
public sealed class Agent : IAsyncDisposable
{
    readonly GrpcChannel _channel;
    readonly AsyncDuplexStreamingCall<AgentMessage, ControllerMessage> _call;
    readonly Channel<ControllerMessage> _inbox = Channel.CreateUnbounded<ControllerMessage>();
    readonly CancellationTokenSource _cts = new();
    readonly Task _reader;

    public HostResources Held { get; private set; } = new();

    Agent(string url, string token)
    {
        _channel = GrpcChannel.ForAddress(url, new GrpcChannelOptions { Credentials = ChannelCredentials.Create(ChannelCredentials.Insecure, CallCredentials.FromInterceptor((_, m) => { m.Add("authorization", "Bearer " + token); return Task.CompletedTask; })), UnsafeUseInsecureChannelCallCredentials = true });
        _call = new AgentSession.AgentSessionClient(_channel).Connect(new CallOptions(cancellationToken: _cts.Token));
        _reader = Task.Run(async () =>
        {
            try
            {
                while (await _call.ResponseStream.MoveNext(_cts.Token)) await _inbox.Writer.WriteAsync(_call.ResponseStream.Current);
                _inbox.Writer.TryComplete();
            }
            catch (Exception e) { _inbox.Writer.TryComplete(e); }
        });
    }

    public static async Task<(Agent Agent, Welcome Welcome)> ConnectAsync(string url, string token, string hostId, string tunnelIp)
    {
        var a = new Agent(url, token);
        var inventory = new HostInventory
        {
            Cores = 16, MhzPerCore = 2000, MemoryMib = 65536, TunnelIp = tunnelIp, KvmAvailable = true, Arch = "x86_64",
            Hostname = hostId, AgentVersion = "e2e",
        };
        inventory.StoragePools.Add(new StoragePool { Name = "default", CapacityBytes = 1UL << 40, FreeBytes = 1UL << 40 });
        await a._call.RequestStream.WriteAsync(new AgentMessage { Hello = new Hello { HostId = hostId, Inventory = inventory, BootId = "boot-" + hostId } });
        var first = await a.NextAsync();
        Assert.Equal(ControllerMessage.MsgOneofCase.Welcome, first.MsgCase);
        return (a, first.Welcome);
    }

    async Task<ControllerMessage> NextAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        return await _inbox.Reader.ReadAsync(timeout.Token);
    }

    /// <summary>Applies desired states (acking each) until what is held satisfies <paramref name="done"/>; bounded.</summary>
    public async Task<HostResources> UntilAsync(Func<HostResources, bool> done)
    {
        for (var i = 0; i < 50 && !done(Held); i++)
        {
            var m = await NextAsync();
            if (m.MsgCase != ControllerMessage.MsgOneofCase.Desired) continue;
            Held = DeltaPlanner.Apply(Held, m.Desired);
            await _call.RequestStream.WriteAsync(new AgentMessage { Ack = new Ack { Version = m.Desired.Version } });
        }
        Assert.True(done(Held), "the agent never held the expected desired state");
        return Held;
    }

    /// <summary>Reports a VM's observed state, as the agent does after starting it.</summary>
    public Task ReportVmAsync(string id, InstanceState state)
    {
        var report = new StatusReport();
        report.Vms.Add(new VmStatus { Id = id, State = state });
        return _call.RequestStream.WriteAsync(new AgentMessage { Status = report });
    }

    public async ValueTask DisposeAsync()
    {
        _cts.Cancel();
        try { await _reader; } catch (Exception) { }
        _call.Dispose();
        _channel.Dispose();
    }
}
