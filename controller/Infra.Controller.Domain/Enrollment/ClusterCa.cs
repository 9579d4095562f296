using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Infra.Controller.Domain.Enrollment;

/// <summary>The cluster CA as it is stored: PEM certificate and PKCS#8 PEM key.</summary>
public sealed record CaMaterial(string CertPem, string KeyPem)
{
    /// <summary>The CA certificate with its private key, able to sign.</summary>
    public X509Certificate2 Load() => X509Certificate2.CreateFromPem(CertPem, KeyPem);

    /// <summary>The CA certificate alone, for trust decisions.</summary>
    public X509Certificate2 LoadPublic() => X509Certificate2.CreateFromPem(CertPem);
}

/// <summary>
/// The cluster CA: one ECDSA P-256 self-signed certificate made once per cluster (the first replica
/// that needs it creates it in the store, the others read it there) that signs every host's client
/// certificate. It only ever signs host certificates (path length 0), and lives ten years: rotating
/// it is a re-enrolment of every host, which is a deliberate operator action, not a timer.
/// </summary>
public static class ClusterCa
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(3650);

    public static CaMaterial Create(DateTimeOffset now, string clusterName = "infra")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest($"CN={clusterName} cluster CA, O=infra", key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        using var cert = req.CreateSelfSigned(now.AddMinutes(-5), now + Lifetime);
        return new CaMaterial(cert.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }
}
