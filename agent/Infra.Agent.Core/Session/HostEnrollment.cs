using Google.Protobuf;
using Grpc.Core;
using Infra.V1;
using Microsoft.Extensions.Logging;

namespace Infra.Agent.Core.Session;

/// <summary>
/// Gets and keeps the host's client certificate. At start, a stored certificate that is still valid
/// is used as it is; otherwise the agent makes a key pair, sends a certificate request with the join
/// token (controller.join_token_file) to Enrollment.Enroll and stores what comes back. While the
/// session runs, <see cref="RenewLoopAsync"/> asks Enrollment.Renew (authenticated by the current
/// certificate) for a new one at two thirds of its validity, with a new key, and swaps it in: no
/// restart. Failures are retried (a controller that is away, a token the operator still has to fix).
/// </summary>
public sealed partial class HostEnrollment(SessionOptions options, HostCredential credential, string? joinTokenFile, TimeProvider time,
    ILogger<HostEnrollment> log)
{
    readonly ILogger _log = log;

    /// <summary>How long to wait after a failed Enroll or Renew before trying again.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Returns once the host has a valid certificate (loaded or enrolled).</summary>
    public async Task EnsureAsync(CancellationToken ct)
    {
        if (credential.TryLoad(time.GetUtcNow()))
        {
            LogLoaded(credential.CertFile, credential.Current!.NotAfter.ToUniversalTime());
            return;
        }
        while (true)
        {
            try
            {
                await EnrollAsync(ct).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is RpcException or IOException or UnauthorizedAccessException or InvalidOperationException && !ct.IsCancellationRequested)
            {
                LogFailed("enroll", e.Message);
                await Task.Delay(RetryDelay, time, ct).ConfigureAwait(false);
            }
        }
    }

    async Task EnrollAsync(CancellationToken ct)
    {
        if (joinTokenFile is null)
            throw new InvalidOperationException($"no valid certificate in {credential.Dir} and no controller.join_token_file to enroll with; create a join token (infractl enrollment create-token) and set it");
        var token = File.ReadLines(joinTokenFile).FirstOrDefault()?.Trim() ?? "";
        var (key, csr) = HostCredential.NewRequest(options.HostId);
        using (key)
        {
            // No certificate yet and no bearer token: the join token in the request is the credential.
            using var channel = ControllerChannel.Create(options with { Token = null, Credential = null });
            var r = await new Enrollment.EnrollmentClient(channel).EnrollAsync(
                new EnrollRequest { Token = token, HostId = options.HostId, Csr = ByteString.CopyFrom(csr) }, cancellationToken: ct).ConfigureAwait(false);
            credential.Save(r.CertificatePem, key, r.CaCertificatePem);
        }
        LogEnrolled(options.HostId, credential.Current!.NotAfter.ToUniversalTime());
    }

    /// <summary>Renews the certificate before it expires, until <paramref name="ct"/> fires.</summary>
    public async Task RenewLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var wait = credential.RenewAt() - time.GetUtcNow();
            try { if (wait > TimeSpan.Zero) await Task.Delay(wait, time, ct).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
            try { await RenewAsync(ct).ConfigureAwait(false); }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (Exception e) when (e is RpcException or IOException or UnauthorizedAccessException)
            {
                LogFailed("renew", e.Message);
                try { await Task.Delay(RetryDelay, time, ct).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    /// <summary>One renewal now: a new key, a request for it, the signed certificate swapped in.</summary>
    public async Task RenewAsync(CancellationToken ct)
    {
        var (key, csr) = HostCredential.NewRequest(options.HostId);
        using (key)
        {
            using var channel = ControllerChannel.Create(options with { Token = null });
            var r = await new Enrollment.EnrollmentClient(channel).RenewAsync(new RenewRequest { Csr = ByteString.CopyFrom(csr) }, cancellationToken: ct).ConfigureAwait(false);
            credential.Save(r.CertificatePem, key, r.CaCertificatePem);
        }
        LogRenewed(options.HostId, credential.Current!.NotAfter.ToUniversalTime());
    }
}
