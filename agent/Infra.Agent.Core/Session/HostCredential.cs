using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Infra.Agent.Core.Session;

/// <summary>
/// The host's identity for the controller: its client certificate and private key, kept in one
/// directory (host.crt, host.key 0600, cluster-ca.crt) and swapped in place when renewed. The key is
/// made here and never sent anywhere; the controller only ever sees certificate requests. The channel
/// asks <see cref="Current"/> on every new TLS connection, so a renewed certificate is used from the
/// next connection on without a restart.
/// </summary>
public sealed class HostCredential(string dir)
{
    volatile X509Certificate2? _current;

    public string Dir => dir;
    public string CertFile => Path.Combine(dir, "host.crt");
    public string KeyFile => Path.Combine(dir, "host.key");
    public string CaFile => Path.Combine(dir, "cluster-ca.crt");

    /// <summary>The certificate (with its key) the agent presents; null before enrollment.</summary>
    public X509Certificate2? Current => _current;

    /// <summary>Loads the stored certificate when it is still valid at <paramref name="now"/>; false when there is none (or it expired).</summary>
    public bool TryLoad(DateTimeOffset now)
    {
        if (!File.Exists(CertFile) || !File.Exists(KeyFile)) return false;
        X509Certificate2 cert;
        try { cert = X509Certificate2.CreateFromPemFile(CertFile, KeyFile); }
        catch (CryptographicException) { return false; }
        if (cert.NotAfter.ToUniversalTime() <= now.UtcDateTime) { cert.Dispose(); return false; }
        _current = cert;
        return true;
    }

    /// <summary>A fresh key pair and a PKCS#10 request for it (the CN is informative: the controller names the host).</summary>
    public static (ECDsa Key, byte[] Csr) NewRequest(string hostId)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return (key, new CertificateRequest("CN=" + hostId, key, HashAlgorithmName.SHA256).CreateSigningRequest());
    }

    /// <summary>Stores a signed certificate with its key (key first, each file replaced atomically) and makes it current.</summary>
    public void Save(string certPem, ECDsa key, string caPem)
    {
        Directory.CreateDirectory(dir);
        var keyPem = key.ExportPkcs8PrivateKeyPem();
        var cert = X509Certificate2.CreateFromPem(certPem, keyPem);
        Write(KeyFile, keyPem, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Write(CertFile, certPem, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        Write(CaFile, caPem, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        _current = cert;
    }

    /// <summary>When to renew: two thirds into the current certificate's validity.</summary>
    public DateTimeOffset RenewAt()
    {
        var c = _current ?? throw new InvalidOperationException("no certificate yet: enroll first");
        var from = new DateTimeOffset(c.NotBefore.ToUniversalTime());
        var to = new DateTimeOffset(c.NotAfter.ToUniversalTime());
        return from + (to - from) * 2 / 3;
    }

    static void Write(string path, string text, UnixFileMode mode)
    {
        var tmp = path + ".tmp";
        // Created with its final mode, so the key is never readable by others, not even briefly.
        using (var f = new FileStream(tmp, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = mode }))
        using (var w = new StreamWriter(f)) w.Write(text);
        File.SetUnixFileMode(tmp, mode);
        File.Move(tmp, path, overwrite: true);
    }
}
