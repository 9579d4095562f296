using System.Net;
using Infra.Controller.Core.Ipam;

namespace Infra.Controller.Core.Tests.Ipam;

public sealed class IpamAllocatorTests : IAsyncLifetime
{
    readonly TempSqliteStore _db = new();
    IpamAllocator Ipam => new(_db.Store);
    static readonly Infra.Controller.Domain.Commands.SubnetSpec V4 = Subnets.Of("10.0.0.0/24", "10.0.0.1");

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task Allocate_V4_HandsOutLowestFreeAfterGateway()
    {
        var a = await Ipam.AllocateAsync("net1", V4, "port-a");
        var b = await Ipam.AllocateAsync("net1", V4, "port-b");
        Assert.Equal(IPAddress.Parse("10.0.0.2"), a.Address);
        Assert.Equal(IPAddress.Parse("10.0.0.3"), b.Address);
    }

    [Fact]
    public async Task Allocate_WhenSubnetIsFull_SaysSoAndHowToFixIt()
    {
        var small = Subnets.Of("10.9.0.0/29", "10.9.0.1"); // 8 - network - broadcast - gateway = 5
        for (var i = 0; i < 5; i++) Assert.True((await Ipam.AllocateAsync("n", small, $"p{i}")).Ok);
        var full = await Ipam.AllocateAsync("n", small, "p5");
        Assert.Equal(IpamOutcome.Exhausted, full.Outcome);
        Assert.Contains("10.9.0.0/29", full.Error);
        Assert.Contains("5 in use", full.Error);
    }

    [Fact]
    public async Task Release_ByOwner_FreesAddress_ButStaleReleaseByOtherOwnerDoesNot()
    {
        var a = await Ipam.AllocateAsync("net1", V4, "port-a");
        Assert.False(await Ipam.ReleaseAsync("net1", a.Address!, "port-zzz"));
        Assert.True(await Ipam.ReleaseAsync("net1", a.Address!, "port-a"));
        var again = await Ipam.AllocateAsync("net1", V4, "port-b");
        Assert.Equal(a.Address, again.Address);
    }

    [Fact]
    public async Task AllocateSpecific_InUse_ReportsHolder_AndIsIdempotentForSameOwner()
    {
        var ip = IPAddress.Parse("10.0.0.50");
        Assert.True((await Ipam.AllocateSpecificAsync("net1", V4, ip, "port-a")).Ok);
        Assert.True((await Ipam.AllocateSpecificAsync("net1", V4, ip, "port-a")).Ok);
        var clash = await Ipam.AllocateSpecificAsync("net1", V4, ip, "port-b");
        Assert.Equal(IpamOutcome.AlreadyInUse, clash.Outcome);
        Assert.Contains("port-a", clash.Error);
        var gw = await Ipam.AllocateSpecificAsync("net1", V4, IPAddress.Parse("10.0.0.1"), "port-c");
        Assert.Equal(IpamOutcome.Invalid, gw.Outcome);
    }

    [Fact]
    public async Task Allocate_TenantsWithOverlappingRanges_AreIndependent()
    {
        var a = await Ipam.AllocateAsync("tenant1-net", V4, "p1");
        var b = await Ipam.AllocateAsync("tenant2-net", V4, "p2");
        Assert.Equal(a.Address, b.Address);
    }

    [Fact]
    public async Task Allocate_V6_Slash64_GivesDistinctAssignableAddresses()
    {
        var v6 = Subnets.Of("fd00:aa::/64", "fd00:aa::1");
        var seen = new HashSet<IPAddress>();
        for (var i = 0; i < 50; i++)
        {
            var r = await Ipam.AllocateAsync("net1", v6, $"p{i}");
            Assert.True(r.Ok, r.Error);
            Assert.True(v6.IsAssignable(r.Address!));
            Assert.True(seen.Add(r.Address!));
        }
    }

    [Fact]
    public async Task Allocate_V6_SmallSubnet_IsScannedUntilExhausted()
    {
        var v6 = Subnets.Of("fd00:bb::/120", "fd00:bb::1"); // 256 - anycast(0) - top 128 - gateway = 126
        var seen = new HashSet<IPAddress>();
        IpamResult r;
        while ((r = await Ipam.AllocateAsync("net1", v6, "p")).Ok) Assert.True(seen.Add(r.Address!));
        Assert.Equal(126, seen.Count);
        Assert.Equal(IpamOutcome.Exhausted, r.Outcome);
    }

    [Fact]
    public async Task Allocate_ConcurrentRequestsFromTwoControllers_NeverHandOutAnAddressTwice()
    {
        var controllers = new[] { new IpamAllocator(_db.Store), new IpamAllocator(_db.Store) };
        var results = await Task.WhenAll(Enumerable.Range(0, 120).Select(i =>
            Task.Run(() => controllers[i % 2].AllocateAsync("net1", V4, $"port-{i}"))));
        Assert.All(results, r => Assert.True(r.Ok, r.Error));
        Assert.Equal(120, results.Select(r => r.Address).Distinct().Count());
        var listed = await Ipam.ListAsync("net1", V4);
        Assert.Equal(120, listed.Count);
        Assert.Equal(120, listed.Values.Distinct().Count()); // each port holds exactly its own address
    }

    [Fact]
    public async Task Allocate_AfterRestart_ContinuesWithoutReuse()
    {
        var before = new List<IPAddress>();
        for (var i = 0; i < 5; i++) before.Add((await Ipam.AllocateAsync("net1", V4, $"a{i}")).Address!);
        var store = await _db.ReopenAsync();
        var after = new IpamAllocator(store);
        for (var i = 0; i < 5; i++) before.Add((await after.AllocateAsync("net1", V4, $"b{i}")).Address!);
        Assert.Equal(10, before.Distinct().Count());
    }

    [Fact]
    public async Task AllocateMac_IsLocallyAdministeredUnicast_WithPrefix_AndUnique()
    {
        var macs = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() => Ipam.AllocateMacAsync($"port-{i}"))));
        Assert.All(macs, m => Assert.True(m.Ok, m.Error));
        Assert.Equal(200, macs.Select(m => m.Mac).Distinct().Count());
        Assert.All(macs, m => Assert.True(MacPolicy.IsLocalUnicast(m.Mac!)));
        Assert.All(macs, m => Assert.StartsWith("02:1c:7e:", m.Mac));
        Assert.True(await Ipam.ReleaseMacAsync(macs[0].Mac!, "port-0"));
    }

    [Theory]
    [InlineData(new byte[] { 0x00, 0x11 }, "not locally administered")]
    [InlineData(new byte[] { 0x03 }, "multicast")]
    [InlineData(new byte[] { 0x02, 1, 2, 3 }, "1 to 3 octets")]
    public void MacPolicy_RejectsUnsafePrefixes(byte[] prefix, string message) =>
        Assert.Contains(new MacPolicy(prefix).Validate(), e => e.Contains(message));
    [Fact]
    public async Task Allocate_WithAllocationRange_PicksOnlyInsideIt_ThenReportsExhaustion()
    {
        var ranged = Subnets.Of("10.7.0.0/24", "10.7.0.1", ("10.7.0.100", "10.7.0.102"));
        var got = new List<IPAddress>();
        for (var i = 0; i < 3; i++) got.Add((await Ipam.AllocateAsync("nr", ranged, $"p{i}")).Address!);
        Assert.Equal(new[] { "10.7.0.100", "10.7.0.101", "10.7.0.102" }, got.Select(a => a.ToString()));
        Assert.Equal(IpamOutcome.Exhausted, (await Ipam.AllocateAsync("nr", ranged, "p3")).Outcome);
        // An address asked for explicitly may lie outside the ranges.
        Assert.True((await Ipam.AllocateSpecificAsync("nr", ranged, IPAddress.Parse("10.7.0.50"), "p4")).Ok);
    }

    [Fact]
    public async Task Allocate_V6WithAllocationRange_DrawsInsideTheRange()
    {
        var ranged = Subnets.Of("fd00:7::/64", null, ("fd00:7::1000", "fd00:7::10ff"));
        for (var i = 0; i < 20; i++)
        {
            var a = (await Ipam.AllocateAsync("nr6", ranged, $"p{i}")).Address!;
            Assert.True(ranged.InRanges(a), $"{a} is outside fd00:7::1000-fd00:7::10ff");
        }
    }

}
