using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Infra.Controller.Domain.Enrollment;

/// <summary>A signed host certificate, or why the request could not be signed.</summary>
public sealed record SignResult(string? CertPem, string? Error);

/// <summary>
/// Signs a host's certificate request (PKCS#10, PEM or DER) with the cluster CA. Only the request's
/// public key is taken (its signature proves the host holds the key; the key itself never leaves the
/// host): subject, SAN and extensions are the controller's, so a host cannot ask for another host's
/// name or a CA bit. The certificate is a TLS client certificate (clientAuth), short-lived
/// (<see cref="Validity"/>), and agents renew it at two thirds of its life (<see cref="RenewAt"/>).
/// </summary>
public static class HostCertificates
{
    public static readonly TimeSpan Validity = TimeSpan.FromDays(30);

    /// <summary>Backdating for clocks a little behind the controller's.</summary>
    public static readonly TimeSpan Skew = TimeSpan.FromMinutes(5);

    const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    public static SignResult Sign(X509Certificate2 ca, ReadOnlySpan<byte> csr, string hostId, DateTimeOffset now, TimeSpan? validity = null)
    {
        if (!HostIdentity.IsValidHostId(hostId))
            return new SignResult(null, $"host_id '{hostId}' is not a DNS label (1-63 of a-z, 0-9 and '-')");
        CertificateRequest request;
        try { request = Load(csr); }
        catch (CryptographicException e)
        {
            return new SignResult(null, $"csr: not a valid PKCS#10 certificate request (PEM or DER) with a valid signature: {e.Message}");
        }
        var pub = request.PublicKey;
        if (pub.Oid.Value is not ("1.2.840.10045.2.1" or "1.2.840.113549.1.1.1"))
            return new SignResult(null, $"csr: key algorithm {pub.Oid.Value} is not supported; use ECDSA P-256 or RSA (2048 bits or more)");
        if (pub.GetRSAPublicKey() is { } rsa && rsa.KeySize < 2048)
            return new SignResult(null, $"csr: an RSA key of {rsa.KeySize} bits is too small; use 2048 bits or more, or ECDSA P-256");

        var leaf = new CertificateRequest(new X500DistinguishedName("CN=" + hostId + ", O=infra hosts"), pub, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(new Uri(HostIdentity.Uri(hostId)));
        leaf.CertificateExtensions.Add(san.Build(critical: false));
        leaf.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        leaf.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        leaf.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(ClientAuthOid)], false));
        leaf.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(pub, false));
        leaf.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        var notAfter = now + (validity ?? Validity);
        if (notAfter > ca.NotAfter) notAfter = ca.NotAfter;
        using var cert = leaf.Create(ca, now - Skew, notAfter, serial);
        return new SignResult(cert.ExportCertificatePem(), null);
    }

    /// <summary>When a certificate should be renewed: two thirds into its validity.</summary>
    public static DateTimeOffset RenewAt(X509Certificate2 cert)
    {
        var from = new DateTimeOffset(cert.NotBefore.ToUniversalTime());
        var to = new DateTimeOffset(cert.NotAfter.ToUniversalTime());
        return from + (to - from) * 2 / 3;
    }

    static CertificateRequest Load(ReadOnlySpan<byte> csr)
    {
        var text = System.Text.Encoding.ASCII.GetString(csr);
        return text.Contains("-----BEGIN", StringComparison.Ordinal)
            ? CertificateRequest.LoadSigningRequestPem(text, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.Default)
            : CertificateRequest.LoadSigningRequest(csr, HashAlgorithmName.SHA256, out _, CertificateRequestLoadOptions.Default);
    }

    /// <summary>A new PKCS#10 request for <paramref name="key"/> (what an agent sends; the CN is only informative).</summary>
    public static byte[] CreateRequest(ECDsa key, string hostId) =>
        new CertificateRequest("CN=" + hostId, key, HashAlgorithmName.SHA256).CreateSigningRequest();
}
