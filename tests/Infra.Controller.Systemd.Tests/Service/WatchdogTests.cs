using System.Diagnostics;
using Infra.Controller.Systemd.Tests.Fixture;
using static Infra.Controller.Systemd.Tests.Fixture.ControllerServiceRoot;

namespace Infra.Controller.Systemd.Tests.Service;

/// <summary>
/// infra-controller.service has WatchdogSec=: the controller must pet it while it is healthy (or
/// systemd kills it every 30 s) and stop when its store no longer answers, so that systemd restarts it.
/// </summary>
public sealed class WatchdogTests(ControllerServiceRoot host) : IClassFixture<ControllerServiceRoot>
{
    static readonly TimeSpan Long = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task PackagedUnit_TheControllerPetsTheWatchdog_SoTheSameProcessStaysActivePastWatchdogSec()
    {
        host.StartFresh();
        var limit = TimeSpan.FromMicroseconds(host.ShowNumber("WatchdogUSec"));
        Assert.Equal(TimeSpan.FromSeconds(30), limit);
        Assert.Equal(9, host.ShowNumber("WatchdogSignal")); // SIGKILL: the runtime would swallow SIGABRT
        var (pid, restarts) = (host.ShowNumber("MainPID"), host.ShowNumber("NRestarts"));

        var pets = new SortedSet<long>();
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < limit + TimeSpan.FromSeconds(6))
        {
            var (state, now) = (host.Show("ActiveState"), host.ShowNumber("MainPID"));
            Assert.True(state == "active" && now == pid,
                $"after {sw.Elapsed.TotalSeconds:F0} s the unit is {state} with main pid {now} (was {pid}); pets seen: {string.Join(", ", pets)}\n{host.Journal()}");
            pets.Add(host.ShowNumber("WatchdogTimestampMonotonic"));
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
        Assert.Equal(restarts, host.ShowNumber("NRestarts"));
        Assert.True(pets.Count >= 3, $"systemd saw too few watchdog pets in {sw.Elapsed}: {string.Join(", ", pets)}\n{host.Journal()}");
    }

    [Fact]
    public async Task WhenTheStoreStopsAnswering_TheControllerStopsPetting_SystemdRestartsIt_AndItRunsAgainOnceTheStoreIsBack()
    {
        // A short deadline keeps the test short; every other setting is the packaged unit's.
        host.AddDropIn("20-test-short-watchdog", "[Service]\nWatchdogSec=4s\n");
        try
        {
            host.StartFresh();
            var (pid, restarts, run) = (host.ShowNumber("MainPID"), host.ShowNumber("NRestarts"), host.Show("InvocationID"));
            var sw = Stopwatch.StartNew();
            host.FreezeEtcd(true);
            try
            {
                await WaitUntilAsync(() => host.ShowNumber("NRestarts") > restarts, Long, "systemd to restart the controller whose store stopped answering", () => host.Journal());
                var took = sw.Elapsed;
                var lines = host.JournalOfRun(run);
                Assert.Contains(lines, l => l.Message.Contains("[3] the store does not answer") && l.Priority == "4");
                Assert.Contains(lines, l => l.Message.Contains("[7102] Not healthy: withholding the systemd watchdog pet") && l.Priority == "3");
                Assert.Contains(lines, l => l.Message.StartsWith(Unit + ": Watchdog timeout", StringComparison.Ordinal)); // systemd's own line
                Assert.Contains(lines, l => l.Message.Contains("with signal SIGKILL", StringComparison.Ordinal));
                // No answer for the deadline (4 s) + up to one more deadline without a pet, plus slack for a loaded machine.
                Assert.True(took < TimeSpan.FromSeconds(40), $"the restart took {took.TotalSeconds:F0} s");
            }
            finally { host.FreezeEtcd(false); }

            // The restarted controller exits 2 while the store does not answer; Restart=on-failure tries
            // again, and once etcd runs again one of those starts gets READY=1.
            await WaitUntilAsync(() => host.Show("ActiveState") == "active" && host.Show("SubState") == "running", Long,
                "the controller to run again once etcd answers", () => host.Journal());
            Assert.NotEqual(pid, host.ShowNumber("MainPID"));
        }
        finally
        {
            host.RemoveDropIn("20-test-short-watchdog");
            host.Systemctl("stop", Unit);
        }
    }
}
