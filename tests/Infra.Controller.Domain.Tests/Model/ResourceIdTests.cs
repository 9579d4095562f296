using FsCheck;
using FsCheck.Fluent;
using Infra.Controller.Domain.Model;

namespace Infra.Controller.Domain.Tests.Model;

public class ResourceIdTests
{
    [Theory]
    [InlineData(IdKind.Tenant, "ten-")]
    [InlineData(IdKind.Network, "net-")]
    [InlineData(IdKind.Policy, "pol-")]
    [InlineData(IdKind.Port, "prt-")]
    [InlineData(IdKind.Instance, "ins-")]
    [InlineData(IdKind.Volume, "vol-")]
    [InlineData(IdKind.Snapshot, "snp-")]
    [InlineData(IdKind.Image, "img-")]
    [InlineData(IdKind.Rule, "rul-")]
    public void New_HasKindPrefixAndSixteenBase32Chars(IdKind kind, string prefix)
    {
        var id = ResourceId.New(kind);
        Assert.StartsWith(prefix, id);
        Assert.Equal(20, id.Length);
        Assert.Matches("^[a-z]{3}-[a-z2-7]{16}$", id);
        Assert.True(ResourceId.IsValid(id, kind));
    }

    [Fact]
    public void New_EncodesAllEightyRandomBits()
    {
        Assert.Equal("ten-aaaaaaaaaaaaaaaa", ResourceId.New(IdKind.Tenant, b => b.Clear()));
        Assert.Equal("ten-7777777777777777", ResourceId.New(IdKind.Tenant, b => b.Fill(0xff)));
        // 0x80 then zeros: the top bit lands in the first character (value 16 = 'q').
        Assert.Equal("ten-qaaaaaaaaaaaaaaa", ResourceId.New(IdKind.Tenant, b => { b.Clear(); b[0] = 0x80; }));
        Assert.Equal("ten-aaaaaaaaaaaaaaab", ResourceId.New(IdKind.Tenant, b => { b.Clear(); b[9] = 0x01; }));
    }

    [Fact]
    public void New_TenThousandIds_AreDistinct()
    {
        var ids = Enumerable.Range(0, 10_000).Select(_ => ResourceId.New(IdKind.Port)).ToHashSet();
        Assert.Equal(10_000, ids.Count);
    }

    [Fact]
    public void AnyGeneratedId_ValidatesForItsKindOnly()
    {
        var gen = from kind in Gen.Elements(Enum.GetValues<IdKind>())
                  from bytes in Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), 10)
                  select (kind, bytes);
        Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var id = ResourceId.New(t.kind, span => t.bytes.CopyTo(span));
            return ResourceId.IsValid(id, t.kind)
                && Enum.GetValues<IdKind>().Where(k => k != t.kind).All(k => !ResourceId.IsValid(id, k));
        }).QuickCheckThrowOnFailure();
    }

    [Theory]
    [InlineData("", "ids look like")]
    [InlineData("net-aaaaaaaaaaaaaaaa", "not a tenant id")]
    [InlineData("ten-aaaaaaaaaaaaaaa", "ids look like")]
    [InlineData("ten-aaaaaaaaaaaaaaaaa", "ids look like")]
    [InlineData("ten-AAAAAAAAAAAAAAAA", "only a-z and 2-7")]
    [InlineData("ten-aaaaaaaaaaaaaaa1", "only a-z and 2-7")]
    [InlineData("TEN-aaaaaaaaaaaaaaaa", "ids look like")]
    [InlineData("ten_aaaaaaaaaaaaaaaa", "ids look like")]
    public void Check_WhenMalformed_ExplainsTheFormat(string id, string fragment)
    {
        var error = ResourceId.Check(id, IdKind.Tenant);
        Assert.NotNull(error);
        Assert.Contains(fragment, error);
    }
}
