using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Infra.Controller.Domain.Enrollment;

namespace Infra.Controller.Domain.Tests.Enrollment;

public sealed class HostCertificatesTests
{
    static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ClusterCa_IsASelfSignedP256Ca()
    {
        using var ca = ClusterCa.Create(Now).Load();
        Assert.True(ca.HasPrivateKey);
        Assert.Equal(ca.Subject, ca.Issuer);
        Assert.Equal("1.2.840.10045.2.1", ca.PublicKey.Oid.Value);
        var bc = Assert.Single(ca.Extensions.OfType<X509BasicConstraintsExtension>());
        Assert.True(bc.CertificateAuthority);
        Assert.True(ca.NotAfter > Now.AddYears(9).UtcDateTime);
    }

    [Fact]
    public void Sign_PutsTheHostIdInTheUriSan_WithClientAuth_AndTheRequestsKey()
    {
        var material = ClusterCa.Create(Now);
        using var ca = material.Load();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        // The request asks for another name: only its key is used.
        var r = HostCertificates.Sign(ca, HostCertificates.CreateRequest(key, "someone-else"), "host-a", Now);
        Assert.Null(r.Error);
        using var cert = X509Certificate2.CreateFromPem(r.CertPem);
        Assert.True(HostIdentity.TryRead(cert, out var id));
        Assert.Equal("host-a", id);
        Assert.Contains("CN=host-a", cert.Subject);
        var eku = Assert.Single(cert.Extensions.OfType<X509EnhancedKeyUsageExtension>());
        Assert.Equal("1.3.6.1.5.5.7.3.2", Assert.Single(eku.EnhancedKeyUsages.Cast<Oid>()).Value);
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), cert.GetECDsaPublicKey()!.ExportSubjectPublicKeyInfo());
        Assert.Equal(Now + HostCertificates.Validity, new DateTimeOffset(cert.NotAfter.ToUniversalTime()));
        using var pub = material.LoadPublic();
        Assert.Equal("host-a", ClusterTrust.HostOf(cert, pub, Now, out var why));
        Assert.Equal("", why);
    }

    [Fact]
    public void Sign_AcceptsPem()
    {
        using var ca = ClusterCa.Create(Now).Load();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = new CertificateRequest("CN=h", key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
        Assert.Null(HostCertificates.Sign(ca, System.Text.Encoding.ASCII.GetBytes(pem), "h1", Now).Error);
    }

    [Theory]
    [InlineData("not a csr", "csr: not a valid PKCS#10")]
    [InlineData("", "csr: not a valid PKCS#10")]
    public void Sign_RefusesGarbage_NamingTheField(string csr, string expected)
    {
        using var ca = ClusterCa.Create(Now).Load();
        var r = HostCertificates.Sign(ca, System.Text.Encoding.ASCII.GetBytes(csr), "h1", Now);
        Assert.Null(r.CertPem);
        Assert.StartsWith(expected, r.Error);
    }

    [Theory]
    [InlineData("Host_A")]
    [InlineData("-a")]
    [InlineData("")]
    public void Sign_RefusesAHostIdThatIsNotADnsLabel(string hostId)
    {
        using var ca = ClusterCa.Create(Now).Load();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.StartsWith("host_id", HostCertificates.Sign(ca, HostCertificates.CreateRequest(key, "x"), hostId, Now).Error);
    }

    [Fact]
    public void Trust_RefusesACertificateFromAnotherCa_AndAnExpiredOne()
    {
        var ours = ClusterCa.Create(Now);
        using var theirs = ClusterCa.Create(Now).Load();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var foreign = X509Certificate2.CreateFromPem(HostCertificates.Sign(theirs, HostCertificates.CreateRequest(key, "h"), "host-a", Now).CertPem);
        using var pub = ours.LoadPublic();
        Assert.Null(ClusterTrust.HostOf(foreign, pub, Now, out var why));
        Assert.Contains("not a valid host certificate of this cluster", why);

        using var oursKey = ours.Load();
        using var mine = X509Certificate2.CreateFromPem(HostCertificates.Sign(oursKey, HostCertificates.CreateRequest(key, "h"), "host-a", Now).CertPem);
        Assert.Null(ClusterTrust.HostOf(mine, pub, Now.AddDays(31), out why));
        Assert.Contains("NotTimeValid", why);
    }

    [Fact]
    public void RenewAt_IsTwoThirdsIntoTheValidity()
    {
        using var ca = ClusterCa.Create(Now).Load();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var cert = X509Certificate2.CreateFromPem(HostCertificates.Sign(ca, HostCertificates.CreateRequest(key, "h"), "h", Now, TimeSpan.FromMinutes(55)).CertPem);
        // Backdated by the skew: 5 minutes before now to 55 after; two thirds of that hour is 40 minutes.
        Assert.Equal(Now.AddMinutes(35), HostCertificates.RenewAt(cert));
    }
}
