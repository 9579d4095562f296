using System.Text.Json;
using Infra.Controller.Api.Tests.Support;
using Infra.Controller.EndToEnd.Tests.Support;
using Infra.Store.Etcd.Tests.Support;

namespace Infra.Controller.EndToEnd.Tests;

/// <summary>
/// Two real daemon replicas on one real etcd: either serves what the other wrote, a watch on one sees
/// the other's writes, and SIGKILL of one leaves the other serving.
/// </summary>
public sealed class EtcdReplicasTests : EtcdReplicas
{
    async Task<(DaemonProcess Daemon, CtlSession Ctl)> StartWithCtlAsync(string name)
    {
        var (d, url) = await StartReplicaAsync(name);
        return (d, new CtlSession(url, TempDir.Token));
    }

    [Fact]
    public async Task TwoReplicas_OneEtcd_ServeEachOthersWrites_AndSurviveTheOthersSigkill()
    {
        var (d1, one) = await StartWithCtlAsync("ctl-1");
        using var _1 = d1;
        var (d2, two) = await StartWithCtlAsync("ctl-2");
        using var _2 = d2;

        var first = await one.JsonAsync("tenant", "create", "first");
        var firstId = CtlSession.Id(first);
        Assert.Equal("first", (await two.JsonAsync("tenant", "get", firstId)).GetProperty("meta").GetProperty("name").GetString());
        var network = CtlSession.Id(await one.JsonAsync("network", "create", "-t", firstId, "-n", "net", "--subnet", "10.30.0.0/24"));
        var listed = await two.JsonAsync("network", "list", "--tenant", firstId);
        Assert.Contains(listed.GetProperty("networks").EnumerateArray(), n => n.GetProperty("meta").GetProperty("id").GetString() == network);

        // Watch on replica 2 from the revision of "first": the next tenant event is the one replica 1 creates now.
        var from = first.GetProperty("meta").GetProperty("revision").GetString()!;
        var watch = two.RunAsync("--output", "json", "--timeout", "30s", "watch", "--from", from, "--kind", "tenant", "--count", "1");
        var second = CtlSession.Id(await one.JsonAsync("tenant", "create", "second"));
        var seen = await watch;
        Assert.True(seen.Code == 0, seen.ToString());
        var events = seen.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.TryGetProperty("tenant", out _)).ToList();
        var created = Assert.Single(events);
        Assert.Equal(second, created.GetProperty("tenant").GetProperty("meta").GetProperty("id").GetString());
        Assert.Equal("EVENT_TYPE_CREATED", created.GetProperty("type").GetString());

        d1.Process.Kill(); // SIGKILL by PID: replica 1 gets no chance to clean up
        await d1.Process.WaitForExitAsync();

        var third = CtlSession.Id(await two.JsonAsync("tenant", "create", "third"));
        var all = await two.JsonAsync("tenant", "list");
        var ids = all.GetProperty("tenants").EnumerateArray().Select(t => t.GetProperty("meta").GetProperty("id").GetString()).ToList();
        Assert.Contains(firstId, ids);
        Assert.Contains(second, ids);
        Assert.Contains(third, ids);
        var dead = await one.RunAsync("tenant", "list");
        Assert.NotEqual(0, dead.Code);
    }
}
