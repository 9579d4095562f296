using Infra.Controller.Api.Credentials;

namespace Infra.Controller.Api.Tests.Credentials;

public sealed class CredentialTokenTests
{
    [Fact]
    public void Format_ThenParse_RoundTrips_EvenWhenTheSecretHasUnderscores()
    {
        for (var i = 0; i < 50; i++)
        {
            var (id, secret) = (CredentialToken.NewId(), CredentialToken.NewSecret());
            Assert.Equal(43, secret.Length);
            Assert.True(CredentialToken.TryParse(CredentialToken.Format(id, secret), out var pid, out var psecret));
            Assert.Equal((id, secret), (pid, psecret));
        }
        Assert.True(CredentialToken.TryParse("infra_cred-abc_se_cr_et", out var i2, out var s2));
        Assert.Equal(("cred-abc", "se_cr_et"), (i2, s2));
    }

    [Theory]
    [InlineData("infra_")]
    [InlineData("infra_cred-abc")]
    [InlineData("infra_cred-abc_")]
    [InlineData("infra__secret")]
    [InlineData("infra_key-abc_secret")]
    public void TryParse_RejectsMalformedTokens(string token) => Assert.False(CredentialToken.TryParse(token, out _, out _));

    [Fact]
    public void Matches_OnlyTheSecretWhoseHashIsStored()
    {
        var secret = CredentialToken.NewSecret();
        var hash = CredentialToken.Hash(secret);
        Assert.Equal(32, hash.Length);
        Assert.True(CredentialToken.Matches(hash, secret));
        Assert.False(CredentialToken.Matches(hash, secret + "x"));
    }
}
