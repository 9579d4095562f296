using Infra.Controller.Southbound.Session;
using Infra.V1;
using static Infra.Controller.Southbound.Tests.Support.Objects;

namespace Infra.Controller.Southbound.Tests.Session;

public sealed class HelloValidatorTests
{
    [Fact]
    public void Validate_GoodHello_HasNoErrors() =>
        Assert.Empty(HelloValidator.Validate(new Hello { HostId = "node-01", Inventory = Inventory("node-01", "192.0.2.1") }));

    [Theory]
    [InlineData("", "not a DNS label")]
    [InlineData("Node_1", "not a DNS label")]
    [InlineData("-node", "not a DNS label")]
    public void Validate_BadHostId_IsRejected(string id, string expected) =>
        Assert.Contains(HelloValidator.Validate(new Hello { HostId = id, Inventory = Inventory("x", "192.0.2.1") }), e => e.Contains(expected));

    [Fact]
    public void Validate_BrokenInventory_ReportsEveryProblemAtOnce()
    {
        var inv = new HostInventory { TunnelIp = "not-an-ip" };
        inv.StoragePools.Add(new StoragePool { Name = "p", CapacityBytes = 1, FreeBytes = 2 });
        inv.StoragePools.Add(new StoragePool { Name = "p", CapacityBytes = 1 });

        var errors = HelloValidator.Validate(new Hello { HostId = "h1", Inventory = inv });

        Assert.Equal(6, errors.Count);
        Assert.Contains(errors, e => e.Contains("cores"));
        Assert.Contains(errors, e => e.Contains("mhz_per_core"));
        Assert.Contains(errors, e => e.Contains("memory_mib"));
        Assert.Contains(errors, e => e.Contains("tunnel_ip 'not-an-ip'"));
        Assert.Contains(errors, e => e.Contains("listed twice"));
        Assert.Contains(errors, e => e.Contains("more free bytes"));
    }

    [Fact]
    public void Validate_NoHelloOrNoInventory_IsRejected()
    {
        Assert.Contains("Hello", Assert.Single(HelloValidator.Validate(null)));
        Assert.Contains(HelloValidator.Validate(new Hello { HostId = "h1" }), e => e.Contains("inventory is missing"));
    }
}
