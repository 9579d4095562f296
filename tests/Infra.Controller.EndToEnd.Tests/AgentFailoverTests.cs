using System.Text.RegularExpressions;
using Infra.Agent.Tests.Daemon;
using Infra.Controller.EndToEnd.Tests.Support;

namespace Infra.Controller.EndToEnd.Tests;

/// <summary>
/// HA without an external balancer: the real infra-agent lists two real controller replicas (one real
/// etcd) in controller.urls; Grpc.Net.Client's balancing puts its session on one of them. SIGKILL that
/// one: the agent's next session is with the other, and the survivor sees the host's heartbeats again.
/// </summary>
public sealed class AgentFailoverTests : EtcdReplicas
{
    static readonly Regex Welcome = new(@"Welcome from (ctl-[ab]):", RegexOptions.Compiled);

    [Fact]
    public async Task AgentWithTwoReplicaUrls_ReplicaItIsOnIsKilled_ReconnectsToTheOther()
    {
        var (a, urlA) = await StartReplicaAsync("ctl-a");
        using var _a = a;
        var (b, urlB) = await StartReplicaAsync("ctl-b");
        using var _b = b;
        await using var agent = new AgentDaemon(urlA, controllerYaml: $"{{urls: ['{urlA}', '{urlB}'], token_file: {Dir.TokenFile}}}");
        agent.Start();

        var first = await WaitAsync(() => Welcomes(agent).FirstOrDefault(), agent, "a first session");
        var (victim, survivorUrl) = first == "ctl-a" ? (a, urlB) : (b, urlA);
        var hostId = await WaitAsync(async () => await HostUp(new CtlSession(survivorUrl, TempDir.Token)), agent, "the host UP");

        victim.Process.Kill(); // SIGKILL by PID: the replica holding the session is gone without a goodbye
        await victim.Process.WaitForExitAsync();
        var killedAt = DateTimeOffset.UtcNow;

        var next = await WaitAsync(() => Welcomes(agent).Skip(1).FirstOrDefault(), agent, "a session after the kill");
        Assert.NotEqual(first, next);
        // The survivor, through the public API, sees heartbeats that arrived after the kill.
        var ctl = new CtlSession(survivorUrl, TempDir.Token);
        await WaitAsync(async () =>
        {
            var host = await ctl.JsonAsync("host", "get", hostId);
            return host.TryGetProperty("lastHeartbeat", out var hb) && DateTimeOffset.Parse(hb.GetString()!) > killedAt
                && host.GetProperty("state").GetString() == "HOST_STATE_UP" ? "yes" : null;
        }, agent, "a heartbeat on the survivor after the kill");
    }

    static List<string> Welcomes(AgentDaemon agent) => Welcome.Matches(agent.Log()).Select(m => m.Groups[1].Value).ToList();

    static async Task<string?> HostUp(CtlSession ctl)
    {
        var hosts = await ctl.JsonAsync("host", "list");
        return hosts.TryGetProperty("hosts", out var list)
            ? list.EnumerateArray().Where(h => h.GetProperty("state").GetString() == "HOST_STATE_UP").Select(CtlSession.Id).FirstOrDefault()
            : null;
    }

    static Task<string> WaitAsync(Func<string?> probe, AgentDaemon agent, string what) => WaitAsync(() => Task.FromResult(probe()), agent, what);

    /// <summary>Polls for up to 60 s (the agent, two daemons and etcd share two loaded cores).</summary>
    static async Task<string> WaitAsync(Func<Task<string?>> probe, AgentDaemon agent, string what)
    {
        for (var i = 0; i < 600; i++)
        {
            if (await probe() is { } value) return value;
            await Task.Delay(100);
        }
        throw new TimeoutException($"no {what} within 60 s; agent log:\n{agent.Log()}");
    }
}
