using Infra.DBus.Wire;

namespace Infra.DBus.Tests.Wire;

public class SignatureTests
{
    [Theory]
    [InlineData("", new string[0])]
    [InlineData("sa{sv}(ii)", new[] { "s", "a{sv}", "(ii)" })]
    [InlineData("a(sasb)t", new[] { "a(sasb)", "t" })]
    [InlineData("aaya{s(uv)}", new[] { "aay", "a{s(uv)}" })]
    public void Split_YieldsSingleCompleteTypes(string sig, string[] expected) =>
        Assert.Equal(expected, SignatureReader.Split(sig));

    [Theory]
    [InlineData("a")]
    [InlineData("(")]
    [InlineData("()")]
    [InlineData("a{vs}")]
    [InlineData("a{sss}")]
    [InlineData("{ss}")]
    [InlineData("z")]
    [InlineData("(i))")]
    public void IsValid_RejectsMalformedSignatures(string sig) => Assert.False(SignatureReader.IsValid(sig));

    [Fact]
    public void IsValid_RejectsNestingPast32Arrays() => Assert.False(SignatureReader.IsValid(new string('a', 40) + "y"));
}
