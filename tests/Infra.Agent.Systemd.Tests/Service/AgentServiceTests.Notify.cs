using static Infra.Agent.Systemd.Tests.Fixture.AgentServiceRoot;
using static Infra.Agent.Tests.Support.Resources;

namespace Infra.Agent.Systemd.Tests.Service;

public sealed partial class AgentServiceTests
{
    [Fact]
    public async Task Notifications_AreTheHostingLibrarys_StatusReadyWatchdog_ThenStoppingOnStop()
    {
        // At debug level systemd logs every notification datagram it accepts, one journal line each:
        // "infra-agent.service: Got notification message from PID n (READY=1)".
        host.Systemctl("log-level", "debug");
        try
        {
            await host.StartFreshAsync(Serve(() => Full(1)));
            var run = host.Show(Agent, "InvocationID");
            await WaitForAsync((_, m) => m.Ack?.Version == 1, "Ack v1");
            host.Systemctl("stop", Agent);
            Assert.Equal(("inactive", "success"), (host.Show(Agent, "ActiveState"), host.Show(Agent, "Result")));

            List<string> got = [];
            await WaitUntilAsync(() =>
            {
                got = host.JournalOfRun(Agent, run).Select(e => Field(e, "MESSAGE") ?? "")
                    .Where(m => m.StartsWith(Agent + ": Got notification message from PID", StringComparison.Ordinal)).ToList();
                return got.Any(m => m.EndsWith("(STOPPING=1)", StringComparison.Ordinal));
            }, Long, "systemd to log the agent's STOPPING=1", () => string.Join("\n", got));

            // READY=1 alone (the library's SystemdLifetime), after the agent's STATUS= lines and before STOPPING=1.
            int Index(string tail) => got.FindIndex(m => m.Contains(tail, StringComparison.Ordinal));
            var ready = got.FindIndex(m => m.EndsWith("(READY=1)", StringComparison.Ordinal));
            Assert.True(ready >= 0, "no READY=1:\n" + string.Join("\n", got));
            Assert.InRange(Index("(STATUS=enforcing the persisted desired state v0)"), 0, ready - 1);
            Assert.InRange(Index("(STATUS=agent for host " + host.HostId), 0, ready - 1);
            Assert.InRange(Index("(STATUS=controller session"), ready + 1, got.Count);
            Assert.InRange(Index("(WATCHDOG=1)"), 0, got.Count); // WatchdogPet's first pet, at start
            Assert.InRange(Index("(STOPPING=1)"), ready + 1, got.Count);
        }
        finally { host.Systemctl("log-level", "info"); }
    }
}
