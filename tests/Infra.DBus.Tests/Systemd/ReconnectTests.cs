using Infra.DBus.Tests.Fixtures;
using Infra.Systemd.Manager;
using Infra.Systemd.Units;
using Tmds.DBus.Protocol;

namespace Infra.DBus.Tests.Systemd;

/// <summary>The bus dying under a waiting client, and the same client working again once a bus is back.</summary>
public sealed class ReconnectTests : BusWithSystemd
{
    [Fact]
    public async Task WhenTheBusDies_WaitsAndCallsFailClosed_ThenTheClientReconnectsAndResubscribesOnTheNewBus()
    {
        Systemd.Jobs = JobScript.NeverFinish;
        await Client.SubscribeAsync();
        var job = await Client.StartTransientUnitAsync("infra-a.service", "fail", []);
        var waiting = Client.WaitForJobAsync(job, Wait);
        Systemd.Jobs = JobScript.NoReply;
        var call = Client.StartTransientUnitAsync("infra-b.service", "fail", []);

        Bus.Kill();
        await Assert.ThrowsAsync<DBusConnectionClosedException>(() => waiting.WaitAsync(Wait));
        await Assert.ThrowsAsync<DBusConnectionClosedException>(() => call.WaitAsync(Wait));
        await Assert.ThrowsAsync<DBusConnectionClosedException>(() => Client.WaitForJobAsync(job, Wait)); // its outcome can no longer be learnt

        // While no bus runs, a call fails to connect; once one is back, the same client works again.
        await Assert.ThrowsAnyAsync<DBusConnectionException>(() => Client.GetUnitAsync("infra-a.service"));
        Bus.Restart();
        await using var again = await ScriptedSystemd.StartAsync(Bus.Address);
        var outcome = await Client.StartTransientUnitAndWaitAsync("infra-c.service", "fail", [UnitProperty.CpuQuotaPercent(50)], Wait);
        Assert.Equal((JobResult.Done, "infra-c.service"), (outcome.Result, outcome.Unit));
        Assert.Equal(1, again.Subscribes); // JobRemoved is asked for again on the new connection
    }

    [Fact]
    public async Task Dispose_FailsAPendingWaitWithClosed()
    {
        Systemd.Jobs = JobScript.NeverFinish;
        await using var other = await Bus.ConnectAsync();
        await other.SubscribeAsync();
        var waiting = other.WaitForJobAsync(await other.StartTransientUnitAsync("infra-a.service", "fail", []), Wait);
        await other.DisposeAsync();
        await Assert.ThrowsAsync<DBusConnectionClosedException>(() => waiting);
    }
}
