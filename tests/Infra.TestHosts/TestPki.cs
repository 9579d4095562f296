using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Infra.TestHosts;

/// <summary>
/// A throwaway PKI for tests that need real TLS: a self-signed CA (ECDSA P-256) and leaf
/// certificates it signs, written as PEM files into a temp dir removed on dispose. What a client
/// trusts is <see cref="CaFile"/> (the agent's controller.ca_file, infractl's --ca-file, etcd's
/// --trusted-ca-file); a server gets <see cref="Issue"/>'s cert and key files. Made with
/// System.Security.Cryptography's CertificateRequest, so no openssl run and nothing fetched.
/// </summary>
public sealed class TestPki : IDisposable
{
    readonly ECDsa _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    readonly X509Certificate2 _ca;

    public string Dir { get; }
    /// <summary>The CA certificate, PEM.</summary>
    public string CaFile { get; }

    public TestPki(string name = "infra-test-ca")
    {
        Dir = Directory.CreateTempSubdirectory("infra-pki-").FullName;
        var req = new CertificateRequest($"CN={name}", _caKey, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        _ca = req.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(2));
        CaFile = Path.Combine(Dir, "ca.pem");
        File.WriteAllText(CaFile, _ca.ExportCertificatePem());
    }

    /// <summary>
    /// A certificate for <paramref name="commonName"/> valid for every name in <paramref name="names"/>
    /// (IP addresses become IP SANs, the rest DNS SANs), usable as a TLS server and client. Returns
    /// the PEM cert and key file paths (<c>{file}.pem</c>, <c>{file}.key</c>).
    /// </summary>
    public (string CertFile, string KeyFile) Issue(string commonName, IEnumerable<string> names, string? file = null)
    {
        file ??= commonName;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var n in names)
        {
            if (IPAddress.TryParse(n, out var ip)) san.AddIpAddress(ip);
            else san.AddDnsName(n);
        }
        req.CertificateExtensions.Add(san.Build());
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        req.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_ca, true, false));
        var now = DateTimeOffset.UtcNow;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var cert = req.Create(_ca, now.AddMinutes(-5), now.AddDays(1), serial);
        var certFile = Path.Combine(Dir, file + ".pem");
        var keyFile = Path.Combine(Dir, file + ".key");
        File.WriteAllText(certFile, cert.ExportCertificatePem());
        // PKCS#8 ("BEGIN PRIVATE KEY"): what Kestrel, Grpc.Net.Client and etcd all read.
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return (certFile, keyFile);
    }

    public void Dispose()
    {
        _ca.Dispose();
        _caKey.Dispose();
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}
