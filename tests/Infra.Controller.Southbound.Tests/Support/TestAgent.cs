using System.Threading.Channels;
using Infra.Controller.Southbound.Desired;
using Infra.Controller.Southbound.Session;
using Infra.Grpc;
using Infra.V1;

namespace Infra.Controller.Southbound.Tests.Support;

/// <summary>
/// Our gRPC client playing an agent: opens AgentSession.Connect, says Hello, and collects what the
/// controller sends. It applies desired states the way the contract says (full replaces, delta on
/// its base) so tests can look at what the host would hold.
/// </summary>
public sealed class TestAgent : IAsyncDisposable
{
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    readonly GrpcChannel _channel;
    readonly AsyncDuplexStreamingCall<AgentMessage, ControllerMessage> _call;
    readonly Channel<ControllerMessage> _inbox = Channel.CreateUnbounded<ControllerMessage>();
    readonly CancellationTokenSource _cts = new();
    readonly Task _reader;

    TestAgent(GrpcChannel channel, string hostId)
    {
        _channel = channel;
        HostId = hostId;
        _call = new Infra.V1.AgentSession.AgentSessionClient(channel).Connect(new CallOptions(CancellationToken: _cts.Token));
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

    public string HostId { get; }
    public HostResources Held { get; private set; } = new();
    public ulong HeldVersion { get; private set; }

    public static async Task<TestAgent> ConnectAsync(SouthboundServer server, string hostId, string tunnelIp, ulong appliedVersion = 0, uint cores = 16, HostResources? held = null)
    {
        var agent = new TestAgent(server.CreateChannel(), hostId) { Held = held ?? new HostResources(), HeldVersion = appliedVersion };
        await agent.SendAsync(new AgentMessage { Hello = new Hello
        {
            HostId = hostId, Inventory = Objects.Inventory(hostId, tunnelIp, cores), AppliedVersion = appliedVersion, BootId = "boot-" + hostId,
        } });
        return agent;
    }

    public Task SendAsync(AgentMessage m) => _call.RequestStream.WriteAsync(m, _cts.Token);

    /// <summary>The next message, or the stream's end as an exception; fails after a bounded wait.</summary>
    public async Task<ControllerMessage> NextAsync()
    {
        using var timeout = new CancellationTokenSource(Wait);
        try { return await _inbox.Reader.ReadAsync(timeout.Token); }
        catch (ChannelClosedException e) when (e.InnerException is not null)
        {
            // The call ended with a status: surface it as the RpcException it is.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }

    public async Task<Welcome> WelcomeAsync()
    {
        var m = await NextAsync();
        Assert.Equal(ControllerMessage.MsgOneofCase.Welcome, m.MsgCase);
        return m.Welcome;
    }

    /// <summary>The next desired state, applied to <see cref="Held"/> (a delta must be on the held version).</summary>
    public async Task<DesiredState> NextDesiredAsync()
    {
        var m = await NextAsync();
        Assert.Equal(ControllerMessage.MsgOneofCase.Desired, m.MsgCase);
        Apply(m.Desired);
        return m.Desired;
    }

    /// <summary>Applies a desired state to <see cref="Held"/> as an agent does (a delta must be on the held version).</summary>
    public void Apply(DesiredState d)
    {
        if (!d.Full) Assert.Equal(HeldVersion, d.BaseVersion);
        Assert.True(d.Version > HeldVersion, $"version {d.Version} does not grow past {HeldVersion}");
        Held = DeltaPlanner.Apply(Held, d);
        HeldVersion = d.Version;
    }

    /// <summary>Waits until a desired state satisfies <paramref name="done"/> (bounded), returning it.</summary>
    public async Task<DesiredState> DesiredUntilAsync(Func<TestAgent, bool> done)
    {
        for (var i = 0; i < 50; i++)
        {
            var d = await NextDesiredAsync();
            if (done(this)) return d;
        }
        throw new Xunit.Sdk.XunitException("no desired state satisfied the condition within 50 messages");
    }

    /// <summary>True when nothing arrives within a short grace period (used only to check "no resend").</summary>
    public async Task<bool> QuietAsync(TimeSpan grace)
    {
        using var t = new CancellationTokenSource(grace);
        try { await _inbox.Reader.WaitToReadAsync(t.Token); return false; }
        catch (OperationCanceledException) { return true; }
    }

    public async ValueTask DisposeAsync()
    {
        _cts.Cancel();
        try { await _reader; } catch { }
        _call.Dispose();
        _channel.Dispose();
    }
}
