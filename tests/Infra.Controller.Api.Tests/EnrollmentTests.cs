using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Grpc.Core;
using Infra.Controller.Api.Tests.Support;
using Infra.Controller.Domain.Enrollment;
using Infra.TestHosts;
using Infra.V1;
using Microsoft.Extensions.Time.Testing;

namespace Infra.Controller.Api.Tests;

/// <summary>
/// Issue 11, hosts enrolled on mutual TLS, through the daemon's composition over real TLS: an operator
/// (bearer token) creates a join token, a host enrolls with its own key and connects with the
/// certificate it got; tokens used twice, expired or revoked are refused with the reason; a host may
/// only speak for itself; a certificate of another CA is refused; a revoked host is cut off at once.
/// </summary>
public sealed class EnrollmentTests : IAsyncLifetime
{
    const string AdminToken = "enrollment-admin-token";
    readonly TestPki _pki = new();
    readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    ApiServer _api = null!;

    public async Task InitializeAsync() =>
        _api = await ApiServer.StartAsync(tokens: new HashSet<string> { AdminToken }, clientToken: AdminToken, southbound: true, tls: _pki, time: _time);

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        _pki.Dispose();
    }

    Infra.V1.Enrollment.EnrollmentClient Admin => new(_api.Channel);

    /// <summary>A host's own channel: no bearer token, its client certificate when it has one.</summary>
    Grpc.Net.Client.GrpcChannel HostChannel(X509Certificate2? cert = null) => TlsClients.Channel(_api.Url, _pki.CaFile, cert);

    async Task<string> TokenAsync(string hostId = "", bool uncordoned = false, uint ttl = 0) =>
        (await Admin.CreateJoinTokenAsync(new CreateJoinTokenRequest { HostId = hostId, Uncordoned = uncordoned, TtlSeconds = ttl })).Token;

    /// <summary>Enrolls as a host would: its own key (kept here), a CSR, the token.</summary>
    async Task<(X509Certificate2 Cert, EnrollResponse Response)> EnrollAsync(string token, string hostId)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var channel = HostChannel();
        var r = await new Infra.V1.Enrollment.EnrollmentClient(channel).EnrollAsync(new EnrollRequest
        {
            Token = token, HostId = hostId, Csr = ByteString.CopyFrom(HostCertificates.CreateRequest(key, hostId)),
        });
        return (X509Certificate2.CreateFromPem(r.CertificatePem, key.ExportPkcs8PrivateKeyPem()), r);
    }

    static async Task<RpcException> Refused(Func<Task> call) => await Assert.ThrowsAsync<RpcException>(call);

    [Fact]
    public async Task Enroll_GivesACertificateNamingTheHost_WhichJoinsCordoned_AndConnects()
    {
        var (cert, r) = await EnrollAsync(await TokenAsync(), "host-a");
        Assert.True(HostIdentity.TryRead(cert, out var id));
        Assert.Equal("host-a", id);
        Assert.Equal("host-a", r.HostId);
        Assert.Contains("BEGIN CERTIFICATE", r.CaCertificatePem);
        Assert.True((await _api.Hosts.GetHostAsync(new GetHostRequest { Id = "host-a" })).Cordoned);

        await using var agent = await ScriptedAgent.ConnectAsync(HostChannel(cert), "host-a");
        var host = await _api.Hosts.GetHostAsync(new GetHostRequest { Id = "host-a" });
        Assert.Equal(HostState.Up, host.State);
        Assert.True(host.Cordoned); // Hello does not take the host out of cordon

        // Renew: the host's certificate is its credential; the new one names it too.
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var channel = HostChannel(cert);
        var renewed = await new Infra.V1.Enrollment.EnrollmentClient(channel).RenewAsync(new RenewRequest { Csr = ByteString.CopyFrom(HostCertificates.CreateRequest(key, "host-a")) });
        Assert.Equal("host-a", renewed.HostId);

        // A host's certificate is a host's credential only: the operators' API refuses it.
        var adminCall = await Refused(async () => await new Infra.V1.Enrollment.EnrollmentClient(channel).CreateJoinTokenAsync(new CreateJoinTokenRequest()));
        Assert.Equal(StatusCode.PermissionDenied, adminCall.StatusCode);
        Assert.Contains("host:host-a", adminCall.Status.Detail);
    }

    [Fact]
    public async Task Enroll_WithAnUncordonedToken_JoinsUncordoned()
    {
        await EnrollAsync(await TokenAsync(uncordoned: true), "host-u");
        Assert.False((await _api.Hosts.GetHostAsync(new GetHostRequest { Id = "host-u" })).Cordoned);
    }

    [Fact]
    public async Task Enroll_RefusesATokenUsedTwice_Expired_Revoked_Unknown_OrBoundToAnotherHost_SayingWhy()
    {
        var token = await TokenAsync();
        await EnrollAsync(token, "host-a");
        var reused = await Refused(() => EnrollAsync(token, "host-b"));
        Assert.Equal(StatusCode.PermissionDenied, reused.StatusCode);
        Assert.Contains("already used (by host host-a", reused.Status.Detail);

        var expiring = await TokenAsync(ttl: 60);
        _time.Advance(TimeSpan.FromSeconds(61));
        Assert.Contains("expired", (await Refused(() => EnrollAsync(expiring, "host-c"))).Status.Detail);

        var revoking = await Admin.CreateJoinTokenAsync(new CreateJoinTokenRequest());
        await Admin.RevokeJoinTokenAsync(new RevokeJoinTokenRequest { Id = revoking.JoinToken.Id });
        Assert.Contains("was revoked", (await Refused(() => EnrollAsync(revoking.Token, "host-d"))).Status.Detail);

        var unknown = await Refused(() => EnrollAsync("jt_000000000000_nosuchsecret", "host-e"));
        Assert.Equal(StatusCode.Unauthenticated, unknown.StatusCode);
        Assert.Contains("no such join token", unknown.Status.Detail);

        var bound = await TokenAsync(hostId: "host-f");
        Assert.Contains("bound to host 'host-f', not 'host-g'", (await Refused(() => EnrollAsync(bound, "host-g"))).Status.Detail);

        var listed = (await Admin.ListJoinTokensAsync(new ListJoinTokensRequest())).JoinTokens;
        Assert.Contains(listed, t => t.UsedByHostId == "host-a");
        Assert.Contains(listed, t => t.RevokeTime is not null);
    }

    [Fact]
    public async Task Enroll_WithoutAToken_OrWithAGarbageCsr_IsRefusedNamingTheField_AndKeepsTheToken()
    {
        using var channel = HostChannel();
        var client = new Infra.V1.Enrollment.EnrollmentClient(channel);
        var token = await TokenAsync();
        var badCsr = await Refused(async () => await client.EnrollAsync(new EnrollRequest { Token = token, HostId = "host-a", Csr = ByteString.CopyFromUtf8("nope") }));
        Assert.Equal(StatusCode.InvalidArgument, badCsr.StatusCode);
        Assert.Contains("csr", badCsr.Status.Detail);
        await EnrollAsync(token, "host-a"); // the bad request did not use the token up

        var noToken = await Refused(async () => await client.EnrollAsync(new EnrollRequest { HostId = "host-a", Csr = ByteString.CopyFromUtf8("x") }));
        Assert.Contains("token", noToken.Status.Detail);
        // Creating tokens is the operators': an anonymous caller is refused.
        var anonymous = await Refused(async () => await client.CreateJoinTokenAsync(new CreateJoinTokenRequest()));
        Assert.Equal(StatusCode.Unauthenticated, anonymous.StatusCode);
    }

    [Fact]
    public async Task Connect_WithHelloForAnotherHost_IsRefusedNamingBoth()
    {
        var (cert, _) = await EnrollAsync(await TokenAsync(), "host-a");
        var e = await Refused(() => ScriptedAgent.ConnectAsync(HostChannel(cert), "host-b"));
        Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
        Assert.Contains("'host-b'", e.Status.Detail);
        Assert.Contains("'host-a'", e.Status.Detail);
    }

    [Fact]
    public async Task Connect_WithACertificateOfAnotherCa_IsRefused()
    {
        // Same shape as ours (URI SAN, clientAuth), signed by a CA this cluster never made.
        using var otherCa = ClusterCa.Create(DateTimeOffset.UtcNow).Load();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = HostCertificates.Sign(otherCa, HostCertificates.CreateRequest(key, "host-a"), "host-a", DateTimeOffset.UtcNow).CertPem!;
        using var foreign = X509Certificate2.CreateFromPem(pem, key.ExportPkcs8PrivateKeyPem());
        var e = await Refused(() => ScriptedAgent.ConnectAsync(HostChannel(foreign), "host-a"));
        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
        Assert.Contains("not a valid host certificate of this cluster", e.Status.Detail);
    }

    [Fact]
    public async Task RevokeHost_EndsItsSessionAtOnce_AndRefusesItsCertificate()
    {
        var (cert, _) = await EnrollAsync(await TokenAsync(), "host-a");
        await using var agent = await ScriptedAgent.ConnectAsync(HostChannel(cert), "host-a");
        await Admin.RevokeHostAsync(new RevokeHostRequest { HostId = "host-a" });
        await agent.Ended.WaitAsync(TimeSpan.FromSeconds(10));
        var ended = Assert.IsType<RpcException>(agent.ReaderFailure);
        Assert.Equal(StatusCode.PermissionDenied, ended.StatusCode);
        Assert.Contains("revoked", ended.Status.Detail);

        var again = await Refused(() => ScriptedAgent.ConnectAsync(HostChannel(cert), "host-a"));
        Assert.Equal(StatusCode.Unauthenticated, again.StatusCode);
        Assert.Contains("host-a was revoked", again.Status.Detail);
        // Only a token bound to the host (an operator's explicit decision) re-enrolls it.
        Assert.Contains("was revoked", (await Refused(() => EnrollAsync(TokenAsync().Result, "host-a"))).Status.Detail);
        var (fresh, _) = await EnrollAsync(await TokenAsync(hostId: "host-a"), "host-a");
        await using var back = await ScriptedAgent.ConnectAsync(HostChannel(fresh), "host-a");
    }
}
