using System.Diagnostics;
using static Infra.Agent.Tests.Support.Resources;

namespace Infra.Agent.Systemd.Tests.Service;

public sealed partial class AgentServiceTests
{
    [Fact]
    public async Task Watchdog_TheAgentPetsIt_SoTheSameProcessStaysActivePastWatchdogSec()
    {
        await host.StartFreshAsync(Serve(() => Full(1)));
        await WaitForAsync((_, m) => m.Ack?.Version == 1, "Ack v1");
        var limit = TimeSpan.FromMicroseconds(host.ShowNumber(Agent, "WatchdogUSec"));
        Assert.Equal(TimeSpan.FromSeconds(30), limit);
        var pid = host.ShowNumber(Agent, "MainPID");
        var restarts = host.ShowNumber(Agent, "NRestarts");

        // Past WatchdogSec (plus margin), the same process still runs: systemd got WATCHDOG=1 in time,
        // and it says when it last did (WatchdogTimestamp moves on).
        var pets = new SortedSet<long>();
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < limit + TimeSpan.FromSeconds(6))
        {
            Assert.Equal("active", host.Show(Agent, "ActiveState"));
            Assert.Equal(pid, host.ShowNumber(Agent, "MainPID"));
            pets.Add(host.ShowNumber(Agent, "WatchdogTimestampMonotonic"));
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
        Assert.Equal(restarts, host.ShowNumber(Agent, "NRestarts"));
        Assert.True(pets.Count >= 3, $"systemd saw too few watchdog pets in {sw.Elapsed}: {string.Join(", ", pets)}");
    }
}
