namespace Infra.Qmp.Tests;

/// <summary>Connection behaviour against a real qemu QMP server (no guest needed).</summary>
public class QmpClientBareQemuTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Connect_NegotiatesCapabilities_AndReportsQemuVersion()
    {
        await using var qemu = await BareQemu.StartAsync();
        await using var qmp = await QmpClient.WaitAndConnectAsync(qemu.QmpSocket, TimeSpan.FromSeconds(20));
        Assert.Matches(@"^\d+\.\d+\.\d+$", qmp.Greeting.Version);
        var version = await qmp.ExecuteAsync("query-version");
        Assert.True(version.GetProperty("qemu").GetProperty("major").GetInt32() >= 7);
    }

    [Fact]
    public async Task Execute_WhenProcessIsStopped_TimesOutAndConnectionStaysUsable()
    {
        await using var qemu = await BareQemu.StartAsync();
        await using var qmp = await QmpClient.WaitAndConnectAsync(qemu.QmpSocket, TimeSpan.FromSeconds(20));
        qemu.Signal(BareQemu.SIGSTOP);
        var ex = await Assert.ThrowsAsync<QmpTimeoutException>(() => qmp.ExecuteAsync("query-status", timeout: TimeSpan.FromMilliseconds(300)));
        Assert.Equal("query-status", ex.Command);
        qemu.Signal(BareQemu.SIGCONT);
        // The late reply to the timed-out call is dropped; the next call gets its own reply.
        var status = await qmp.ExecuteAsync("query-status", timeout: Wait);
        Assert.True(status.TryGetProperty("status", out _));
    }

    [Fact]
    public async Task Execute_WhenProcessIsKilledWithCallPending_FailsPendingCallWithConnectionClosed()
    {
        await using var qemu = await BareQemu.StartAsync();
        await using var qmp = await QmpClient.WaitAndConnectAsync(qemu.QmpSocket, TimeSpan.FromSeconds(20));
        qemu.Signal(BareQemu.SIGSTOP);
        var pending = qmp.ExecuteAsync("query-status", timeout: Wait);
        await Task.Delay(100);
        Assert.False(pending.IsCompleted);
        qemu.Signal(BareQemu.SIGKILL);
        await Assert.ThrowsAsync<QmpConnectionClosedException>(() => pending);
        await qmp.Completion.WaitAsync(Wait);
        await Assert.ThrowsAsync<QmpConnectionClosedException>(() => qmp.ExecuteAsync("query-status"));
    }

    [Fact]
    public async Task Quit_DeliversShutdownEvent_ThenSubscriptionCompletesOnClose()
    {
        await using var qemu = await BareQemu.StartAsync();
        await using var qmp = await QmpClient.WaitAndConnectAsync(qemu.QmpSocket, TimeSpan.FromSeconds(20));
        using var events = qmp.Subscribe();
        await qmp.ExecuteAsync("quit", timeout: Wait);
        var shutdown = await events.WaitForAsync("SHUTDOWN", Wait);
        Assert.Equal("host-qmp-quit", shutdown.Data.GetProperty("reason").GetString());
        await qmp.Completion.WaitAsync(Wait);
        await events.Reader.Completion.WaitAsync(Wait);
        await qemu.WaitForExitAsync();
    }

    [Fact]
    public async Task Execute_WhenCallerCancels_ThrowsOperationCanceled()
    {
        await using var qemu = await BareQemu.StartAsync();
        await using var qmp = await QmpClient.WaitAndConnectAsync(qemu.QmpSocket, TimeSpan.FromSeconds(20));
        qemu.Signal(BareQemu.SIGSTOP);
        using var cts = new CancellationTokenSource(200);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => qmp.ExecuteAsync("query-status", timeout: Wait, ct: cts.Token));
    }

    [Fact]
    public async Task Connect_WhenNoSocket_ThrowsConnectionClosedWithPath()
    {
        var path = Path.Combine(Path.GetTempPath(), $"infra-nosuch-{Guid.NewGuid():N}.sock");
        var ex = await Assert.ThrowsAsync<QmpConnectionClosedException>(() => QmpClient.ConnectAsync(path));
        Assert.Contains(path, ex.Message);
    }
}
