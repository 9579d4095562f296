using System.Security.Cryptography.X509Certificates;

namespace Infra.Controller.Domain.Enrollment;

/// <summary>
/// Whether a client certificate is a host certificate of this cluster: chained to the cluster CA
/// alone (the system's roots do not count), valid now, for clientAuth, with a host URI SAN.
/// </summary>
public static class ClusterTrust
{
    /// <returns>The host id, or null with <paramref name="why"/> set.</returns>
    public static string? HostOf(X509Certificate2 cert, X509Certificate2 ca, DateTimeOffset now, out string why)
    {
        why = "";
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.2"));
        if (!chain.Build(cert))
        {
            var status = string.Join(", ", chain.ChainStatus.Select(s => s.Status.ToString()).Distinct());
            why = $"the client certificate ({cert.Subject}) is not a valid host certificate of this cluster ({status}); enroll the host with a join token";
            return null;
        }
        if (!HostIdentity.TryRead(cert, out var hostId))
        {
            why = $"the client certificate ({cert.Subject}) has no '{HostIdentity.UriPrefix}<id>' URI SAN; enroll the host with a join token";
            return null;
        }
        return hostId;
    }
}
