using System.Diagnostics;
using static Infra.Agent.Systemd.Tests.Fixture.AgentServiceRoot;
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

    [Fact]
    public async Task Watchdog_WhenAnApplyPassHangs_TheAgentStopsPetting_AndSystemdRestartsIt()
    {
        // The agent's own test hook holds the apply pass for v1 forever (as an unanswered QMP or bus
        // call would); a short WatchdogSec and apply_stall_seconds keep the test short.
        host.AddDropIn("20-test-hung-apply", """
            [Service]
            WatchdogSec=4s
            Environment=INFRA_AGENT_TEST_HOOK_DIR=/run INFRA_AGENT_TEST_PAUSE_AT=before-apply
            """);
        try
        {
            await host.StartFreshAsync(Serve(() => Full(1)), extraYaml: "apply_stall_seconds: 2");
            var (pid, restarts, run) = (host.ShowNumber(Agent, "MainPID"), host.ShowNumber(Agent, "NRestarts"), host.Show(Agent, "InvocationID"));
            var sw = Stopwatch.StartNew();
            await WaitUntilAsync(() => host.ShowNumber(Agent, "NRestarts") > restarts, Long, "systemd to restart the hung agent", () => host.Journal(Agent));
            var took = sw.Elapsed;
            Assert.NotEqual(pid, host.ShowNumber(Agent, "MainPID"));

            var lines = host.JournalOfRun(Agent, run).Select(e => (Message: Field(e, "MESSAGE") ?? "", Priority: Field(e, "PRIORITY"))).ToList();
            Assert.Contains(lines, l => l.Message.Contains("[7102] Not healthy: withholding the systemd watchdog pet") && l.Priority == "3");
            Assert.Contains(lines, l => l.Message.StartsWith(Agent + ": Watchdog timeout", StringComparison.Ordinal)); // systemd's own lines
            Assert.Contains(lines, l => l.Message.Contains("with signal SIGKILL", StringComparison.Ordinal)); // the packaged WatchdogSignal=
            // Stall (2 s) + up to one deadline (4 s) + RestartSec (1 s), plus slack for a loaded machine.
            Assert.True(took < TimeSpan.FromSeconds(30), $"the restart took {took.TotalSeconds:F0} s");
        }
        finally
        {
            host.RemoveDropIn("20-test-hung-apply");
            host.Systemctl("stop", Agent);
        }
    }
}
