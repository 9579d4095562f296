using Infra.Store.Election;

namespace Infra.Store.Tests.Conformance;

public abstract partial class StoreConformance
{
    [Fact]
    public async Task Election_SecondCandidateWaits_UntilLeaderResigns()
    {
        var election = new LeaderElection(Store, P + "election", TimeSpan.FromSeconds(10), Harness.Time);
        await using var first = await election.CampaignAsync("one", CancellationToken.None).WaitAsync(Bound);
        Assert.Equal("one", await election.GetLeaderAsync());
        using var cts = new CancellationTokenSource(Bound);
        var second = election.CampaignAsync("two", cts.Token);
        await Task.Delay(300);
        Assert.False(second.IsCompleted, "second candidate must wait while the first leads");
        await first.ResignAsync();
        await using var leader2 = await second.WaitAsync(Bound);
        Assert.Equal("two", await election.GetLeaderAsync());
        Assert.True(first.Lost.IsCancellationRequested);
        Assert.False(leader2.Lost.IsCancellationRequested);
    }

    [Fact]
    public async Task Election_WhenLeaderLeaseIsLost_LeaderIsToldAndNextCandidateLeads()
    {
        var election = new LeaderElection(Store, P + "election", TimeSpan.FromSeconds(10), Harness.Time);
        await using var first = await election.CampaignAsync("one", CancellationToken.None).WaitAsync(Bound);
        using var cts = new CancellationTokenSource(Bound);
        var second = election.CampaignAsync("two", cts.Token);
        // The leader's process "dies": its lease disappears from the store (as on expiry).
        await Store.LeaseRevokeAsync(first.LeaseId);
        await Task.Delay(Timeout.Infinite, first.Lost).ContinueWith(_ => { }).WaitAsync(Bound);
        await using var leader2 = await second.WaitAsync(Bound);
        Assert.Equal("two", await election.GetLeaderAsync());
    }

    [Fact]
    public async Task Election_LeaderKeepsLeading_AcrossManyTtls()
    {
        var election = new LeaderElection(Store, P + "election", TimeSpan.FromSeconds(3), Harness.Time);
        await using var leader = await election.CampaignAsync("one", CancellationToken.None).WaitAsync(Bound);
        for (var i = 0; i < 5; i++)
        {
            await Harness.ElapseAsync(TimeSpan.FromSeconds(1));
            // A fake clock releases the keepalive timer inline: give that keepalive a moment to reach the store.
            if (!Harness.RealTime) await Task.Delay(50);
        }
        Assert.False(leader.Lost.IsCancellationRequested);
        Assert.Equal("one", await election.GetLeaderAsync());
    }
}
