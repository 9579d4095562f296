using Infra.Store.Election;
using Infra.Store.Etcd.Tests.Support;

namespace Infra.Store.Etcd.Tests;

/// <summary>Two controller replicas, each with its own EtcdStore (own HTTP/2 connection), on one etcd.</summary>
public sealed class EtcdElectionTests : IAsyncLifetime
{
    EtcdProcess _etcd = null!;
    EtcdStore _a = null!, _b = null!;

    public async Task InitializeAsync()
    {
        _etcd = await EtcdProcess.StartNewAsync();
        _a = EtcdStore.Connect(EtcdStoreOptions.For(_etcd.ClientUrl));
        _b = EtcdStore.Connect(EtcdStoreOptions.For(_etcd.ClientUrl));
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _etcd.DisposeAsync();
    }

    [Fact]
    public async Task TwoReplicas_OnlyOneLeads_AndTheOtherTakesOverWhenTheLeaderLeaseIsRevoked()
    {
        var onA = new LeaderElection(_a, "/controller/leader", TimeSpan.FromSeconds(5));
        var onB = new LeaderElection(_b, "/controller/leader", TimeSpan.FromSeconds(5));
        await using var leaderA = await onA.CampaignAsync("replica-a", CancellationToken.None).WaitAsync(Bounded.Bound);
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var campaignB = onB.CampaignAsync("replica-b", cts.Token);

        // Across a few keepalive periods B keeps waiting and both replicas agree A leads.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.False(campaignB.IsCompleted, "replica-b must not lead while replica-a holds the lease");
        Assert.Equal("replica-a", await onA.GetLeaderAsync());
        Assert.Equal("replica-a", await onB.GetLeaderAsync());
        Assert.False(leaderA.Lost.IsCancellationRequested);

        // A's lease vanishes in etcd (as when its process dies and the TTL runs out).
        await _b.LeaseRevokeAsync(leaderA.LeaseId);
        await Task.Delay(Timeout.Infinite, leaderA.Lost).ContinueWith(_ => { }).WaitAsync(Bounded.Bound);
        await using var leaderB = await campaignB.WaitAsync(Bounded.Bound);
        Assert.Equal("replica-b", await onA.GetLeaderAsync());
        Assert.Equal("replica-b", await onB.GetLeaderAsync());
        Assert.False(leaderB.Lost.IsCancellationRequested);
        Assert.Single(await _a.GetPrefixAsync("/controller/leader/"));
    }

    [Fact]
    public async Task LeaderLeaseExpires_WhenItsReplicaStopsKeepingAlive_AndTheOtherTakesOver()
    {
        // Replica A "dies" without resigning: its client is disposed, so keepalives stop and the
        // 2 s lease runs out on etcd's clock.
        var onA = new LeaderElection(_a, "/leader", TimeSpan.FromSeconds(2));
        var onB = new LeaderElection(_b, "/leader", TimeSpan.FromSeconds(2));
        var leaderA = await onA.CampaignAsync("a", CancellationToken.None).WaitAsync(Bounded.Bound);
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var campaignB = onB.CampaignAsync("b", cts.Token);
        await _a.DisposeAsync();
        await using var leaderB = await campaignB.WaitAsync(Bounded.Bound);
        Assert.Equal("b", await onB.GetLeaderAsync());
        try { await leaderA.DisposeAsync(); } catch (Exception) { /* its store is gone */ }
    }
}
