using Grpc.Core;
using Infra.Controller.Api.Tests.Support;
using Infra.Controller.Domain.Auth;
using Infra.V1;
using static Infra.Controller.Api.Tests.Support.Fixtures;

namespace Infra.Controller.Api.Tests;

/// <summary>Changes.Watch and the southbound services as non-admin principals (test-only principal header).</summary>
public sealed class TenantWatchTests : IAsyncLifetime
{
    ApiServer s = null!;
    Tenant ta = null!, tb = null!;

    public async Task InitializeAsync()
    {
        s = await ApiServer.StartAsync(testPrincipals: true, bookmark: TimeSpan.FromMilliseconds(200), southbound: true);
        ta = await TenantAsync(s, "a");
        tb = await TenantAsync(s, "b");
    }

    public async Task DisposeAsync() => await s.DisposeAsync();

    static async Task<List<WatchEvent>> UntilAsync(AsyncServerStreamingCall<WatchEvent> call, Func<WatchEvent, bool> last)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var events = new List<WatchEvent>();
        while (await call.ResponseStream.MoveNext(cts.Token))
        {
            if (call.ResponseStream.Current.Type != EventType.Bookmark) events.Add(call.ResponseStream.Current);
            if (last(call.ResponseStream.Current)) break;
        }
        return events;
    }

    static string? Owner(WatchEvent e) => e.Tenant?.Meta.Id ?? e.Network?.TenantId ?? e.Policy?.TenantId ?? e.Image?.TenantId;

    [Fact]
    public async Task Watch_AsTenant_StreamsOnlyItsTenantsObjectsAndPublicImages()
    {
        await NetworkAsync(s, ta.Meta.Id, "na", "10.0.0.0/24");
        await NetworkAsync(s, tb.Meta.Id, "nb", "10.1.0.0/24");
        var pub = await ImportAsync(s, "public", new byte[4096]);
        await RegisterHostAsync(s, "hv-1");
        var a = s.As(Principal.Tenant(ta.Meta.Id, TenantRole.Reader, "test"));
        using var call = a.Changes.Watch(new WatchRequest());
        var initial = await UntilAsync(call, e => e.Type == EventType.Bookmark);
        Assert.Contains(initial, e => e.Image?.Meta.Id == pub.Meta.Id);
        Assert.Contains(initial, e => e.Tenant?.Meta.Id == ta.Meta.Id);
        Assert.DoesNotContain(initial, e => e.Host is not null);
        Assert.All(initial, e => Assert.True(Owner(e) is "" || Owner(e) == ta.Meta.Id, $"tenant A saw {e}"));

        await NetworkAsync(s, tb.Meta.Id, "nb2", "10.2.0.0/24");
        var mine = await NetworkAsync(s, ta.Meta.Id, "na2", "10.3.0.0/24");
        var live = await UntilAsync(call, e => e.Network?.Meta.Id == mine.Meta.Id);
        Assert.Equal([mine.Meta.Id], live.Select(e => e.Network.Meta.Id));
    }

    [Fact]
    public async Task Watch_NamingAnotherTenant_IsNotFound()
    {
        var a = s.As(Principal.Tenant(ta.Meta.Id, TenantRole.Member, "test"));
        using var call = a.Changes.Watch(new WatchRequest { TenantId = tb.Meta.Id });
        await FailsAsync(StatusCode.NotFound, () => call.ResponseStream.MoveNext(CancellationToken.None));
    }

    [Fact]
    public async Task AgentSessionAndCommandRelay_AreRefusedToTenants()
    {
        var a = s.As(Principal.Tenant(ta.Meta.Id, TenantRole.Member, "test"));
        using (var session = a.AgentSession.Connect())
        {
            var e = await FailsAsync(StatusCode.PermissionDenied, () => session.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Contains("/infra.v1.AgentSession/Connect", e.Status.Detail);
        }
        using var relay = a.CommandRelay.Run(new RelayCommandRequest { HostId = "hv-1", Command = new Command { Id = "c1" } });
        var r = await FailsAsync(StatusCode.PermissionDenied, () => relay.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Contains("/infra.v1.CommandRelay/Run", r.Status.Detail);
    }

    [Fact]
    public async Task AgentSession_IsRefusedToAReplica_AndCommandRelayToAHost()
    {
        using (var session = s.As(Principal.Replica("c2", "test")).AgentSession.Connect())
            await FailsAsync(StatusCode.PermissionDenied, () => session.ResponseStream.MoveNext(CancellationToken.None));
        using var relay = s.As(Principal.Host("hv-1", "test")).CommandRelay.Run(new RelayCommandRequest { HostId = "hv-1", Command = new Command { Id = "c1" } });
        await FailsAsync(StatusCode.PermissionDenied, () => relay.ResponseStream.MoveNext(CancellationToken.None));
    }
}
