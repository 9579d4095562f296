using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using Infra.Agent.Tests.Support;
using static Infra.Agent.Tests.Support.Resources;

namespace Infra.Agent.Tests.Daemon;

/// <summary>sd_notify as systemd receives it: datagrams on the NOTIFY_SOCKET the test binds.</summary>
public class NotifyTests
{
    [Fact]
    public async Task Daemon_NotifiesReadyStatusWatchdog_AndStoppingOnSigterm_ExitingZero()
    {
        await using var server = await ControllerServer.StartAsync();
        server.Controller.Script = s => s.SendAsync(Full(1));
        await using var agent = new AgentDaemon(server.Url);
        var path = Path.Combine(agent.HookDir, "notify.sock");
        using var sock = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        sock.Bind(new UnixDomainSocketEndPoint(path));
        var got = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var reader = Task.Run(async () =>
        {
            var buf = new byte[4096];
            while (!stop.IsCancellationRequested)
            {
                try { var n = await sock.ReceiveAsync(buf, SocketFlags.None, stop.Token); got.Enqueue(Encoding.UTF8.GetString(buf, 0, n)); }
                catch (OperationCanceledException) { break; }
            }
        });

        agent.Start(env: new Dictionary<string, string> { ["NOTIFY_SOCKET"] = path, ["WATCHDOG_USEC"] = "400000" });
        await server.Controller.WaitForAsync((_, m) => m.Ack?.Version == 1, TimeSpan.FromSeconds(60), "Ack v1");
        await WaitAsync(() => got.Any(g => g.Contains("STATUS=controller session Connected")) && got.Count(g => g.Contains("WATCHDOG=1")) >= 2, "STATUS and WATCHDOG");
        Assert.Contains(got, g => g.Contains("READY=1"));

        Assert.Equal(0, await agent.TerminateAsync());
        await WaitAsync(() => got.Any(g => g.Contains("STOPPING=1")), "STOPPING=1");
        await stop.CancelAsync();
        await reader;
    }

    private static async Task WaitAsync(Func<bool> cond, string what)
    {
        for (var i = 0; i < 600 && !cond(); i++) await Task.Delay(50);
        Assert.True(cond(), what);
    }
}
