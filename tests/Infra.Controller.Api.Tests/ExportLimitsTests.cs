using Infra.Controller.Api.Tests.Support;
using Infra.Controller.Southbound.Commands;
using Grpc.Core;
using Infra.V1;
using static Infra.Controller.Api.Tests.Support.Fixtures;

namespace Infra.Controller.Api.Tests;

/// <summary>
/// An export's window and chunk size are bounded on the controller whoever asks: a configured window
/// past the limit and a CommandRelay caller asking for a huge window and chunk both reach the agent
/// clamped (CommandLimits), and the export still completes. (A bad ExportVolumeRequest.chunk_size is
/// INVALID_ARGUMENT: AgentCommandsTests.)
/// </summary>
public sealed class ExportLimitsTests : IAsyncLifetime
{
    ApiServer s = null!;
    ScriptedAgent agent = null!;
    Instance vm = null!;

    public async Task InitializeAsync()
    {
        s = await ApiServer.StartAsync(southbound: true, exportWindow: 100_000);
        agent = await ScriptedAgent.ConnectAsync(s.Url, "h1");
        var t = await TenantAsync(s, "t");
        var n = await NetworkAsync(s, t.Meta.Id, "n", "10.0.0.0/24");
        var img = await ImportAsync(s, "cirros", new byte[4096]);
        vm = await s.Instances.CreateInstanceAsync(new CreateInstanceRequest
        {
            TenantId = t.Meta.Id, Name = "vm", Vcpus = 1, CpuMhz = 1000, MemoryMib = 512,
            Boot = new BootSource { ImageId = img.Meta.Id, SizeGib = 1, DeleteOnTermination = true },
            Ports = { new PortSpec { NetworkId = n.Meta.Id } },
        });
        agent.Images[vm.BootVolumeId] = new byte[3 * 4096 + 100];
    }

    public async Task DisposeAsync()
    {
        await agent.DisposeAsync();
        await s.DisposeAsync();
    }

    [Fact]
    public async Task ExportVolume_ConfiguredWindowPastTheLimit_ReachesTheAgentClamped()
    {
        using var call = s.Volumes.ExportVolume(new ExportVolumeRequest { VolumeId = vm.BootVolumeId, ChunkSize = 4096 });
        var data = new List<byte>();
        await foreach (var c in call.ResponseStream.ReadAllAsync()) data.AddRange(c.Data);

        Assert.Equal(agent.Images[vm.BootVolumeId], data);
        var export = Assert.Single(agent.Commands).Export;
        Assert.Equal((CommandLimits.MaxWindow, 4096u), (export.Window, export.ChunkSize));
    }

    [Theory]
    [InlineData(uint.MaxValue, uint.MaxValue, CommandLimits.MaxChunkSize, CommandLimits.MaxWindow)]
    [InlineData(5000u, 17u, 4096u, CommandLimits.MaxWindow)]
    [InlineData(1u, 2u, 4096u, 2u)]
    [InlineData(0u, 0u, 0u, 0u)]
    public async Task CommandRelay_ExportPastTheLimits_ReachesTheAgentClamped(uint chunkSize, uint window, uint agentChunk, uint agentWindow)
    {
        var relay = new CommandRelay.CommandRelayClient(s.Channel);
        var command = new Command { Id = "exp-relay", Export = new ExportCommand { SourceId = vm.BootVolumeId, ChunkSize = chunkSize, Window = window } };
        using var call = relay.Run(new RelayCommandRequest { HostId = "h1", Command = command });
        var results = new List<CommandResult>();
        await foreach (var r in call.ResponseStream.ReadAllAsync()) results.Add(r);

        Assert.True(results[^1].Done, "the export completed");
        Assert.All(results, r => Assert.Equal("", r.Error));
        var export = Assert.Single(agent.Commands).Export;
        Assert.Equal((agentChunk, agentWindow), (export.ChunkSize, export.Window));
    }
}
