using Infra.V1;
using static Infra.Agent.Tests.Support.Resources;

namespace Infra.Agent.Systemd.Tests.Service;

public sealed partial class AgentServiceTests
{
    [Fact]
    public async Task Service_IsActiveOnlyThroughItsReadyNotification_KeepsThePackagedSemantics_AndDialsTheController()
    {
        var server = await host.StartFreshAsync(Serve(() => Full(1)));

        // Type=notify: systemd leaves "activating" only when the main process sends READY=1.
        Assert.Equal("notify", host.Show(Agent, "Type"));
        Assert.Equal("active", host.Show(Agent, "ActiveState"));
        Assert.Equal("running", host.Show(Agent, "SubState"));
        Assert.Contains("path=/opt/infra-agent/infra-agent ", host.Show(Agent, "ExecStart"));
        var agentPid = host.MainHostPid(Agent);
        Assert.Equal("/opt/infra-agent/infra-agent", Fixture.AgentServiceRoot.CommandLine(agentPid)[0]);
        // The drop-in changed the path only: the packaged semantics are what systemd enforces.
        Assert.Equal("process", host.Show(Agent, "KillMode"));
        Assert.Equal("always", host.Show(Agent, "Restart"));
        Assert.Equal(30_000_000, host.ShowNumber(Agent, "WatchdogUSec"));
        // STATUS= from the agent reaches systemd (what `systemctl status` prints).
        await AgentServiceRootWait(() => host.Show(Agent, "StatusText").Contains("controller session"), "the agent's STATUS= to mention the controller session");

        var (_, hello) = await WaitForAsync((_, m) => m.Hello is not null, "Hello");
        Assert.Equal(host.HostId, hello.Hello.HostId);
        await WaitForAsync((_, m) => m.Ack?.Version == 1, "Ack v1");

        // StateDirectory= and ConfigurationDirectory= made the agent's directories; the agent persisted v1 there.
        Assert.True(File.Exists(host.HostPath(Fixture.AgentServiceRoot.StateDir + "/desired-state.pb")), "no desired-state.pb in the StateDirectory");
        Assert.DoesNotContain(server.Controller.Received, r => r.Message.Nack is not null);
    }

    private static Task AgentServiceRootWait(Func<bool> condition, string what) =>
        Fixture.AgentServiceRoot.WaitUntilAsync(condition, Long, what);
}
