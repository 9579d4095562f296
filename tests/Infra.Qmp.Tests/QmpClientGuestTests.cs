using Infra.Qmp.GuestAgent;

namespace Infra.Qmp.Tests;

/// <summary>QMP against a booted qemu-system-x86_64 guest (TCG). Tests share one guest.</summary>
[Collection(SharedGuestCollection.Name)]
public class QmpClientGuestTests(SharedGuestFixture fx)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    public sealed record StatusInfo(bool Running, string Status);

    [Fact]
    public async Task QueryStatus_OfBootedGuest_IsRunning_AsTypedResult()
    {
        await using var qmp = await QmpClient.ConnectAsync(fx.Guest.QmpSocket);
        var status = await qmp.ExecuteAsync<StatusInfo>("query-status");
        Assert.Equal(new StatusInfo(true, "running"), status);
    }

    [Fact]
    public async Task StopAndCont_DeliverStopAndResumeEvents()
    {
        await using var qmp = await QmpClient.ConnectAsync(fx.Guest.QmpSocket);
        using var events = qmp.Subscribe(n => n is "STOP" or "RESUME");
        await qmp.ExecuteAsync("stop");
        await events.WaitForAsync("STOP", Wait);
        Assert.Equal("paused", (await qmp.ExecuteAsync<StatusInfo>("query-status")).Status);
        await qmp.ExecuteAsync("cont");
        await events.WaitForAsync("RESUME", Wait);
        Assert.True((await qmp.ExecuteAsync<StatusInfo>("query-status")).Running);
    }

    [Fact]
    public async Task Execute_UnknownCommand_ThrowsCommandExceptionWithClassAndDesc()
    {
        await using var qmp = await QmpClient.ConnectAsync(fx.Guest.QmpSocket);
        var ex = await Assert.ThrowsAsync<QmpCommandException>(() => qmp.ExecuteAsync("no-such-command"));
        Assert.Equal("CommandNotFound", ex.ErrorClass);
        Assert.Contains("no-such-command", ex.Desc);
    }

    [Fact]
    public async Task Execute_BadArgument_ThrowsGenericErrorAndConnectionStaysUsable()
    {
        await using var qmp = await QmpClient.ConnectAsync(fx.Guest.QmpSocket);
        var ex = await Assert.ThrowsAsync<QmpCommandException>(() => qmp.ExecuteAsync("device_del", new { Id = "no-such-device" }));
        Assert.False(string.IsNullOrEmpty(ex.ErrorClass));
        Assert.True((await qmp.ExecuteAsync<StatusInfo>("query-status")).Running);
    }

    [Fact]
    public async Task ConcurrentCalls_EachGetTheirOwnReply()
    {
        await using var qmp = await QmpClient.ConnectAsync(fx.Guest.QmpSocket);
        var calls = Enumerable.Range(0, 20).Select(i => i % 2 == 0
            ? qmp.ExecuteAsync("query-status").ContinueWith(t => t.Result.TryGetProperty("running", out _))
            : qmp.ExecuteAsync("query-name").ContinueWith(t => !t.Result.TryGetProperty("running", out _))).ToArray();
        Assert.All(await Task.WhenAll(calls), Assert.True);
    }

    [Fact]
    public async Task GuestAgent_WhenNoAgentAnswersTheChannel_FreezeTimesOutCleanlyAsNoGuestAgent()
    {
        await using var qga = await GuestAgentClient.ConnectAsync(fx.Guest.SilentChannelSocket,
            new GuestAgentOptions { SyncTimeout = TimeSpan.FromSeconds(1) });
        var result = await qga.FreezeAsync();
        Assert.Equal(FreezeStatus.NoGuestAgent, result.Status);
        Assert.Contains("no guest agent", result.Detail);
        await Assert.ThrowsAsync<GuestAgentTimeoutException>(() => qga.PingAsync());
    }
}
