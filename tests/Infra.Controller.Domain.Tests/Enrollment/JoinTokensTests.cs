using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Infra.Controller.Domain.Enrollment;
using Infra.V1;

namespace Infra.Controller.Domain.Tests.Enrollment;

public sealed class JoinTokensTests
{
    static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    static (StoredJoinToken Stored, string Secret) Token(Action<JoinToken>? edit = null)
    {
        var (id, token, hash) = JoinTokens.New();
        Assert.True(JoinTokens.TryParse(token, out var parsedId, out var secret));
        Assert.Equal(id, parsedId);
        var t = new JoinToken { Id = id, Cordoned = true, ExpireTime = Timestamp.FromDateTimeOffset(Now.AddHours(1)) };
        edit?.Invoke(t);
        return (new StoredJoinToken { Token = t, SecretSha256 = ByteString.CopyFrom(hash) }, secret);
    }

    [Fact]
    public void New_TokensParse_AndDiffer()
    {
        var a = JoinTokens.New();
        var b = JoinTokens.New();
        Assert.StartsWith("jt_", a.Token);
        Assert.NotEqual(a.Token, b.Token);
        Assert.Equal(32, a.SecretHash.Length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("infra_x_y")]
    [InlineData("jt_")]
    [InlineData("jt_abc")]
    [InlineData("jt_abc_")]
    public void TryParse_RefusesOtherStrings(string s) => Assert.False(JoinTokens.TryParse(s, out _, out _));

    [Fact]
    public void Check_AcceptsAFreshToken()
    {
        var (s, secret) = Token();
        Assert.Equal(TokenRefusal.None, JoinTokens.Check(s, secret, "host-a", Now));
    }

    public static TheoryData<string, TokenRefusal> Refusals() => new()
    {
        { "used", TokenRefusal.Used }, { "expired", TokenRefusal.Expired }, { "revoked", TokenRefusal.Revoked },
        { "bound", TokenRefusal.WrongHost }, { "secret", TokenRefusal.WrongSecret }, { "unknown", TokenRefusal.Unknown },
        { "host-revoked", TokenRefusal.HostRevoked },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Check_RefusesWithTheReason(string scenario, TokenRefusal expected)
    {
        var (s, secret) = Token(t =>
        {
            if (scenario == "used") { t.UsedTime = Timestamp.FromDateTimeOffset(Now.AddMinutes(-1)); t.UsedByHostId = "host-b"; }
            if (scenario == "expired") t.ExpireTime = Timestamp.FromDateTimeOffset(Now);
            if (scenario == "revoked") t.RevokeTime = Timestamp.FromDateTimeOffset(Now.AddMinutes(-1));
            if (scenario == "bound") t.HostId = "host-b";
        });
        var got = JoinTokens.Check(scenario == "unknown" ? null : s, scenario == "secret" ? secret + "x" : secret, "host-a", Now, hostRevoked: scenario == "host-revoked");
        Assert.Equal(expected, got);
        Assert.NotEqual("", JoinTokens.Explain(got, s.Token, "host-a"));
    }

    [Fact]
    public void Check_LetsATokenBoundToARevokedHostReEnrollIt()
    {
        var (s, secret) = Token(t => t.HostId = "host-a");
        Assert.Equal(TokenRefusal.None, JoinTokens.Check(s, secret, "host-a", Now, hostRevoked: true));
    }

    [Fact]
    public void Explain_SaysWhatHappened()
    {
        var t = new JoinToken { Id = "abc", UsedByHostId = "host-b", UsedTime = Timestamp.FromDateTimeOffset(Now) };
        Assert.Contains("already used (by host host-b", JoinTokens.Explain(TokenRefusal.Used, t, "host-a"));
        Assert.Contains("expired", JoinTokens.Explain(TokenRefusal.Expired, t, "host-a"));
        Assert.Contains("revoked", JoinTokens.Explain(TokenRefusal.Revoked, t, "host-a"));
    }
}
