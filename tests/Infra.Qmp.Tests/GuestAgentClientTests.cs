using Infra.Qmp.GuestAgent;

namespace Infra.Qmp.Tests;

/// <summary>The guest agent protocol against the stand-in running inside a booted guest.</summary>
[Collection(SharedGuestCollection.Name)]
public class GuestAgentClientTests(SharedGuestFixture fx)
{
    private static readonly GuestAgentOptions Options = new() { SyncTimeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task SyncThenPing_Succeed()
    {
        await using var qga = await GuestAgentClient.ConnectAsync(fx.Guest.GuestAgentSocket, Options);
        await qga.SyncAsync();
        await qga.PingAsync();
    }

    [Fact]
    public async Task FreezeStatusThaw_FollowTheGuestState()
    {
        await using var qga = await GuestAgentClient.ConnectAsync(fx.Guest.GuestAgentSocket, Options);
        Assert.Equal(FreezeStatus.Thawed, await qga.GetFreezeStatusAsync());
        var frozen = await qga.FreezeAsync();
        Assert.Equal(FreezeStatus.Frozen, frozen.Status);
        Assert.Equal(FreezeStatus.Frozen, await qga.GetFreezeStatusAsync());
        // A second freeze is refused by the agent while frozen: a typed command error.
        var ex = await Assert.ThrowsAsync<QmpCommandException>(() => qga.FreezeAsync());
        Assert.Equal("GenericError", ex.ErrorClass);
        var thawed = await qga.ThawAsync();
        Assert.Equal((FreezeStatus.Thawed, 1), (thawed.Status, thawed.FilesystemCount));
        Assert.Equal(FreezeStatus.Thawed, await qga.GetFreezeStatusAsync());
    }

    [Fact]
    public async Task UnknownCommand_ThrowsCommandNotFound()
    {
        await using var qga = await GuestAgentClient.ConnectAsync(fx.Guest.GuestAgentSocket, Options);
        var ex = await Assert.ThrowsAsync<QmpCommandException>(() => qga.CallAsync("guest-no-such"));
        Assert.Equal("CommandNotFound", ex.ErrorClass);
    }

    [Fact]
    public async Task Reconnect_AfterPreviousClientLeft_ResyncsAndWorks()
    {
        await using (var first = await GuestAgentClient.ConnectAsync(fx.Guest.GuestAgentSocket, Options))
            await first.PingAsync();
        await using var second = await GuestAgentClient.ConnectAsync(fx.Guest.GuestAgentSocket, Options);
        await second.PingAsync();
    }
}
