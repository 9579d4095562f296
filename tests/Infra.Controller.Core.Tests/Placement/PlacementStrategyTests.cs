using HostState = Infra.Controller.Domain.Model.HostState;
using Infra.Controller.Core.Placement;

namespace Infra.Controller.Core.Tests.Placement;

public sealed class PlacementStrategyTests
{
    static readonly PlacementPolicy Pack = new(1.0, 1.0, 0, PlacementStrategy.Pack);
    static readonly PlacementPolicy Spread = Pack with { Strategy = PlacementStrategy.Spread };
    static readonly HostCapacity[] Hosts = [new("a", 16, 2000, 16384), new("b", 16, 2000, 32768), new("c", 16, 2000, 65536)];

    static PlacementRequest Vm(string id, long mem = 4096, string? aff = null, string? anti = null) => new(id, 1, 100, mem, null, aff, anti);

    [Fact]
    public void Pack_ChoosesTheFullestHostThatFits()
    {
        Assert.Equal("a", Placer.Decide(Hosts, [], Vm("x"), Pack).HostId);
        Assert.Equal("b", Placer.Decide(Hosts, [], Vm("x", mem: 20000), Pack).HostId);
    }

    [Fact]
    public void Spread_ChoosesTheEmptiestHost()
    {
        var claims = new[] { new Claim("big", "c", 1, 100, 60000) };
        Assert.Equal("b", Placer.Decide(Hosts, claims, Vm("x"), Spread).HostId);
    }

    [Fact]
    public void AntiAffinity_PutsMembersOnDistinctHosts_ThenExplains()
    {
        var index = new PlacementIndex(Hosts, [], Spread);
        var used = new HashSet<string>();
        for (var i = 0; i < 3; i++)
        {
            var r = Vm($"db{i}", anti: "db");
            var d = index.Decide(r);
            Assert.True(used.Add(d.HostId!));
            index.Apply(Claim.For(r, d.HostId!));
        }
        var fourth = index.Decide(Vm("db3", anti: "db"));
        Assert.False(fourth.Placed);
        Assert.Contains("3 hosts already run a member of anti-affinity group db", fourth.Error);
    }

    [Fact]
    public void Affinity_FollowsFirstMember_EvenUnderSpread()
    {
        var index = new PlacementIndex(Hosts, [], Spread);
        var first = index.Decide(Vm("web0", aff: "web"));
        Assert.Equal("c", first.HostId);
        index.Apply(Claim.For(Vm("web0", aff: "web"), "c"));
        index.Apply(new Claim("filler", "c", 1, 100, 50000));
        // Spread alone would now pick b; affinity keeps the group on c.
        Assert.Equal("c", index.Decide(Vm("web1", aff: "web")).HostId);
        var tooBig = index.Decide(Vm("web2", mem: 20000, aff: "web"));
        Assert.False(tooBig.Placed);
        Assert.Contains("1 host does not run affinity group web", tooBig.Error);
    }

    [Fact]
    public void AlreadyPlacedInstance_GetsItsHostBack()
    {
        var index = new PlacementIndex(Hosts, [new Claim("vm", "b", 1, 100, 100)], Pack);
        Assert.Equal("b", index.Decide(Vm("vm")).HostId);
    }

    [Fact]
    public void IncrementalIndex_AgreesWithFreshRebuild_OverRandomClaimsAndReleases()
    {
        var rng = new Random(7);
        var hosts = Enumerable.Range(0, 40).Select(i => new HostCapacity($"h{i}", rng.Next(2, 33), 2000 + rng.Next(0, 1000),
            rng.Next(8, 129) * 1024L, rng.Next(10) == 0 ? HostState.Down : HostState.Up, rng.Next(12) == 0)).ToList();
        foreach (var policy in new[] { Pack, Spread })
        {
            var index = new PlacementIndex(hosts, [], policy);
            var claims = new List<Claim>();
            for (var step = 0; step < 400; step++)
            {
                if (claims.Count > 0 && rng.Next(4) == 0)
                {
                    var victim = claims[rng.Next(claims.Count)];
                    claims.Remove(victim);
                    Assert.True(index.Release(victim.InstanceId));
                    continue;
                }
                var r = new PlacementRequest($"vm{step}", rng.Next(1, 9), rng.Next(100, 8000), rng.Next(1, 17) * 512L,
                    AntiAffinityGroup: rng.Next(5) == 0 ? "g" + rng.Next(3) : null);
                var incremental = index.Decide(r);
                var fresh = Placer.Decide(hosts, claims, r, policy);
                Assert.Equal(fresh.HostId, incremental.HostId);
                Assert.Equal(fresh.Error, incremental.Error);
                if (incremental.Placed)
                {
                    var c = Claim.For(r, incremental.HostId!);
                    claims.Add(c);
                    index.Apply(c);
                }
            }
        }
    }
}
