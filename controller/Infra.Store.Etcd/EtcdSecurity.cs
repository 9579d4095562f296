using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Infra.Store.Etcd;

/// <summary>
/// How the client proves itself to etcd and checks etcd: a CA bundle the members' certificates must
/// chain to (else the system store), a client certificate and key (etcd's --client-cert-auth), and
/// etcd's user/password auth (the client authenticates once, sends the token with every call and
/// authenticates again when etcd says the token is invalid). All PEM files. TLS needs https://
/// endpoints; a password is never sent over http:// to a host that is not loopback.
/// </summary>
public sealed record EtcdSecurity(string? CaFile = null, string? CertFile = null, string? KeyFile = null, string? Username = null, string? Password = null)
{
    public bool UsesTlsFiles => CaFile is not null || CertFile is not null;

    /// <summary>
    /// Every problem at once, empty when valid. <paramref name="name"/> turns a property name
    /// (CaFile, CertFile, KeyFile, Username, Password) into the caller's field name (the controller
    /// says etcd.ca_file); by default the property names are used.
    /// </summary>
    public IReadOnlyList<string> Validate(IReadOnlyList<string> endpoints, Func<string, string>? name = null)
    {
        name ??= n => n;
        var errors = new List<string>();
        foreach (var (field, path) in new[] { (nameof(CaFile), CaFile), (nameof(CertFile), CertFile), (nameof(KeyFile), KeyFile) })
            if (path is not null && !File.Exists(path)) errors.Add($"{name(field)}: {path} does not exist");
        if (CertFile is null != KeyFile is null) errors.Add($"{name(nameof(CertFile))}/{name(nameof(KeyFile))}: give both the client certificate and its key, or neither");
        if (errors.Count == 0 && CaFile is not null && LoadCa(CaFile, out var caError) is null) errors.Add($"{name(nameof(CaFile))}: {caError}");
        if (errors.Count == 0 && CertFile is not null && LoadClient(out var certError) is null)
            errors.Add($"{name(nameof(CertFile))}/{name(nameof(KeyFile))}: {certError}");
        if (Username is null != Password is null) errors.Add($"{name(nameof(Username))}/{name(nameof(Password))}: give both the user name and its password, or neither");
        if (Username is { Length: 0 }) errors.Add($"{name(nameof(Username))}: is empty");
        if (Password is { Length: 0 }) errors.Add($"{name(nameof(Password))}: is empty");
        foreach (var e in endpoints)
        {
            if (!Uri.TryCreate(e, UriKind.Absolute, out var u) || u.Scheme != Uri.UriSchemeHttp) continue;
            if (UsesTlsFiles)
                errors.Add($"{name(CaFile is not null ? nameof(CaFile) : nameof(CertFile))}: set, but the etcd endpoint {e} is plaintext; use https:// endpoints");
            else if (Username is not null && !u.IsLoopback)
                errors.Add($"{name(nameof(Username))}: the password would cross http:// to {u.Host} in the clear; use https:// endpoints");
        }
        return errors;
    }

    /// <summary>TLS options for the handler: trust exactly the CA (when given), present the client certificate (when given).</summary>
    internal SslClientAuthenticationOptions? ClientTls()
    {
        if (!UsesTlsFiles) return null;
        var tls = new SslClientAuthenticationOptions();
        if (CaFile is not null)
        {
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            policy.CustomTrustStore.AddRange(LoadCa(CaFile, out var error) ?? throw new ArgumentException($"{nameof(CaFile)}: {error}"));
            tls.CertificateChainPolicy = policy;
        }
        if (CertFile is not null) tls.ClientCertificates = [LoadClient(out var error) ?? throw new ArgumentException($"{nameof(CertFile)}: {error}")];
        return tls;
    }

    static X509Certificate2Collection? LoadCa(string path, out string error)
    {
        error = "";
        try
        {
            var certs = new X509Certificate2Collection();
            certs.ImportFromPemFile(path);
            if (certs.Count > 0) return certs;
            error = $"{path} holds no PEM certificate";
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException) { error = $"cannot read {path}: {e.Message}"; }
        return null;
    }

    X509Certificate2? LoadClient(out string error)
    {
        error = "";
        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(CertFile!, KeyFile);
            // An ephemeral PEM key cannot be used for TLS client auth everywhere: carry it as PKCS#12.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            error = $"cannot load the client certificate {CertFile} with the key {KeyFile}: {e.Message}";
            return null;
        }
    }
}
