using System.Text;
using Google.Protobuf;
using Infra.Controller.Api.Tests.Support;
using Infra.Grpc;
using Infra.V1;
using static Infra.Controller.Api.Tests.Support.Fixtures;

namespace Infra.Controller.Api.Tests;

/// <summary>
/// Instances.Console and GetConsoleLog through the real services and the real AgentSession on
/// Kestrel: a scripted agent plays the host (one writer, a pretend tty that echoes input). The real
/// agent and guest are in Infra.Agent.Tests and the cloud end-to-end suite.
/// </summary>
public sealed class ConsoleTests : IAsyncLifetime
{
    ApiServer s = null!;
    ScriptedAgent agent = null!;
    Instance vm = null!;

    public async Task InitializeAsync()
    {
        s = await ApiServer.StartAsync(southbound: true);
        agent = await ScriptedAgent.ConnectAsync(s.Url, "h1");
        var t = await TenantAsync(s, "t");
        var n = await NetworkAsync(s, t.Meta.Id, "n", "10.0.0.0/24");
        var img = await ImportAsync(s, "cirros", new byte[4096]);
        vm = await s.Instances.CreateInstanceAsync(new CreateInstanceRequest
        {
            TenantId = t.Meta.Id, Name = "vm", Vcpus = 1, CpuMhz = 1000, MemoryMib = 512,
            Boot = new BootSource { ImageId = img.Meta.Id, SizeGib = 1, DeleteOnTermination = true }, Ports = { new PortSpec { NetworkId = n.Meta.Id } },
        });
    }

    public async Task DisposeAsync()
    {
        await agent.DisposeAsync();
        await s.DisposeAsync();
    }

    AsyncDuplexStreamingCall<ConsoleRequest, ConsoleResponse> Open(ConsoleAccess access, uint tail = 0)
    {
        var call = s.Instances.Console(new CallOptions(Timeout: TimeSpan.FromSeconds(30)));
        call.RequestStream.WriteAsync(new ConsoleRequest { Open = new ConsoleOpen { InstanceId = vm.Meta.Id, Access = access, TailBytes = tail } }).Wait();
        return call;
    }

    static Task TypeAsync(AsyncDuplexStreamingCall<ConsoleRequest, ConsoleResponse> call, string text) =>
        call.RequestStream.WriteAsync(new ConsoleRequest { Input = ByteString.CopyFromUtf8(text) });

    static async Task<ConsoleResponse> NextAsync(AsyncDuplexStreamingCall<ConsoleRequest, ConsoleResponse> call)
    {
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None), "the console ended");
        return call.ResponseStream.Current;
    }

    /// <summary>Reads until the output holds <paramref name="text"/>.</summary>
    static async Task<string> UntilAsync(AsyncDuplexStreamingCall<ConsoleRequest, ConsoleResponse> call, string text)
    {
        var seen = new StringBuilder();
        while (!seen.ToString().Contains(text, StringComparison.Ordinal)) seen.Append((await NextAsync(call)).Data.ToStringUtf8());
        return seen.ToString();
    }

    [Fact]
    public async Task Console_TheWriterTypes_EveryReaderSeesIt_ASecondWriterIsReadOnly_AndItsInputFailsThatCallOnly()
    {
        using var writer = Open(ConsoleAccess.Unspecified, tail: 4096);
        var first = await NextAsync(writer);
        Assert.True(first.Status.Writer);
        Assert.Contains("GUEST-BOOTED", first.Data.ToStringUtf8());
        using var reader = Open(ConsoleAccess.ReadOnly);
        Assert.False((await NextAsync(reader)).Status.Writer);
        using var second = Open(ConsoleAccess.Write);
        var told = (await NextAsync(second)).Status;
        Assert.False(told.Writer);
        Assert.Contains("read-only", told.Reason);

        await TypeAsync(writer, "echo hello\n");
        foreach (var c in new[] { writer, reader, second }) Assert.Contains("echo hello\r\n", await UntilAsync(c, "hello\r\n"));

        await TypeAsync(second, "nope\n");
        var e = await Assert.ThrowsAsync<RpcException>(async () => { while (await second.ResponseStream.MoveNext(CancellationToken.None)) { } });
        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
        Assert.Equal("CONSOLE_READ_ONLY", Details(e).Details.Single().Unpack<Google.Rpc.PreconditionFailure>().Violations[0].Type);
        Assert.Contains("read-only", e.Status.Detail);
        // The others go on.
        await TypeAsync(writer, "still\n");
        Assert.Contains("still", await UntilAsync(reader, "still\r\n"));
        var open = agent.Commands.Where(c => c.Console is not null).ToList();
        Assert.All(open, c => Assert.Equal(8u, c.Console.Window));
        // Input names the console command it belongs to: that is how the agent knows who types.
        Assert.All(agent.Commands.Where(c => c.ConsoleInput is not null), c => Assert.Contains(c.ConsoleInput.SessionId, open.Select(o => o.Id)));
    }

    [Fact]
    public async Task Console_InputSentFasterThanItIsWritten_ArrivesInOrderInFewerCommands()
    {
        using var writer = Open(ConsoleAccess.Write);
        await NextAsync(writer);
        var expected = new StringBuilder();
        for (var i = 0; i < 200; i++)
        {
            await TypeAsync(writer, $"{i % 10}");
            expected.Append(i % 10);
        }
        await TypeAsync(writer, "\n");
        var echoed = await UntilAsync(writer, "\r\n");
        Assert.Equal(expected + "\r\n", echoed);
        var inputs = agent.Commands.Count(c => c.ConsoleInput is not null);
        Assert.InRange(inputs, 1, 201);
    }

    [Fact]
    public async Task Console_VmStops_EndsOk_AgentGoes_EndsUnavailable_AndTheLogIsServedByTheHost()
    {
        using (var watching = Open(ConsoleAccess.ReadOnly))
        {
            await NextAsync(watching);
            await agent.CloseConsolesAsync("the VM stopped (qemu closed its console)");
            Assert.Equal("the VM stopped (qemu closed its console)", (await NextAsync(watching)).Closed);
            Assert.False(await watching.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal(StatusCode.OK, watching.GetStatus().StatusCode);
        }

        var log = await s.Instances.GetConsoleLogAsync(new GetConsoleLogRequest { InstanceId = vm.Meta.Id, TailBytes = 14 });
        Assert.Equal("GUEST-BOOTED\r\n", log.Data.ToStringUtf8());
        Assert.True(log.Truncated);
        Assert.Equal(14u, agent.Commands.Last(c => c.ConsoleLog is not null).ConsoleLog.TailBytes);
        var whole = await s.Instances.GetConsoleLogAsync(new GetConsoleLogRequest { InstanceId = vm.Meta.Id });
        Assert.False(whole.Truncated);
        Assert.Equal(65536u, agent.Commands.Last(c => c.ConsoleLog is not null).ConsoleLog.TailBytes);

        using var cut = Open(ConsoleAccess.Write);
        await NextAsync(cut);
        await agent.KillAsync();
        var e = await Assert.ThrowsAsync<RpcException>(async () => { while (await cut.ResponseStream.MoveNext(CancellationToken.None)) { } });
        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
        Assert.Contains($"console of instance {vm.Meta.Id} closed: host h1 disconnected", e.Status.Detail);
    }

    [Fact]
    public async Task BadRequests_NameTheField_AndAConsoleTheHostRefusesIsAPreconditionFailure()
    {
        var call = s.Instances.Console();
        await TypeAsync(call, "too early");
        var e = await FailsAsync(StatusCode.InvalidArgument, async () => await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(["open"], BadFields(e));

        call = s.Instances.Console();
        await call.RequestStream.WriteAsync(new ConsoleRequest { Open = new ConsoleOpen { InstanceId = vm.Meta.Id, TailBytes = 1 << 20, Access = (ConsoleAccess)9 } });
        e = await FailsAsync(StatusCode.InvalidArgument, async () => await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(["open.access", "open.tail_bytes"], BadFields(e).Order());

        e = await FailsAsync(StatusCode.InvalidArgument, () => s.Instances.GetConsoleLogAsync(new GetConsoleLogRequest { InstanceId = vm.Meta.Id, TailBytes = (1 << 20) + 1 }).ResponseAsync);
        Assert.Equal(["tail_bytes"], BadFields(e));
        await FailsAsync(StatusCode.NotFound, () => s.Instances.GetConsoleLogAsync(new GetConsoleLogRequest { InstanceId = "ins-aaaaaaaaaaaaaaaa" }).ResponseAsync);

        agent.ConsoleRefusal = "instance is not running, so its console is closed; its last output is in the console log";
        using var refused = Open(ConsoleAccess.Write);
        e = await FailsAsync(StatusCode.FailedPrecondition, async () => await refused.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Contains("host h1: instance is not running", e.Status.Detail);
        Assert.Equal("CONSOLE_UNAVAILABLE", Details(e).Details.Single().Unpack<Google.Rpc.PreconditionFailure>().Violations[0].Type);
    }
}
