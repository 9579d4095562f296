using Infra.Agent.Core.Session;
using Infra.Controller.Api.Tests.Support;
using Infra.Controller.Domain.Enrollment;
using Infra.TestHosts;
using Infra.V1;
using Microsoft.Extensions.Logging.Abstractions;

namespace Infra.Controller.Api.Tests;

/// <summary>
/// The agent's side of enrollment (Infra.Agent.Core's HostEnrollment, HostCredential and
/// ControllerChannel) against the real controller over TLS: first start enrolls with the join token
/// and keeps the key on the host (0600), the agent's channel presents the certificate, a restart
/// loads it without a token, and renewal swaps in a new certificate without a restart.
/// </summary>
public sealed class AgentEnrollmentTests : IAsyncLifetime
{
    const string AdminToken = "agent-enrollment-admin";
    readonly TestPki _pki = new();
    readonly string _dir = Directory.CreateTempSubdirectory("infra-agent-enroll-").FullName;
    ApiServer _api = null!;

    public async Task InitializeAsync() =>
        _api = await ApiServer.StartAsync(tokens: new HashSet<string> { AdminToken }, clientToken: AdminToken, southbound: true, tls: _pki);

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        _pki.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    SessionOptions Options(HostCredential credential) => new()
    {
        ControllerUrl = _api.Url, HostId = "host-a", CaFile = _pki.CaFile, Credential = credential,
    };

    [Fact]
    public async Task FirstStart_Enrolls_KeepsTheKeyPrivate_ConnectsWithTheCertificate_AndRenewsInPlace()
    {
        var tokenFile = Path.Combine(_dir, "join-token");
        await File.WriteAllTextAsync(tokenFile, (await new Infra.V1.Enrollment.EnrollmentClient(_api.Channel)
            .CreateJoinTokenAsync(new CreateJoinTokenRequest { HostId = "host-a" })).Token + "\n");
        var credential = new HostCredential(Path.Combine(_dir, "tls"));
        var enrollment = new HostEnrollment(Options(credential), credential, tokenFile, TimeProvider.System, NullLogger<HostEnrollment>.Instance);

        await enrollment.EnsureAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(HostIdentity.TryRead(credential.Current!, out var id));
        Assert.Equal("host-a", id);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(credential.KeyFile));
        Assert.True((await _api.Hosts.GetHostAsync(new GetHostRequest { Id = "host-a" })).Cordoned);

        var first = credential.Current!.SerialNumber;
        await using (var agent = await ScriptedAgent.ConnectAsync(ControllerChannel.Create(Options(credential)), "host-a")) { }

        // A restart: the stored certificate is used; the token (single-use, now spent) is not needed.
        File.Delete(tokenFile);
        var restarted = new HostCredential(credential.Dir);
        await new HostEnrollment(Options(restarted), restarted, tokenFile, TimeProvider.System, NullLogger<HostEnrollment>.Instance).EnsureAsync(CancellationToken.None);
        Assert.Equal(first, restarted.Current!.SerialNumber);

        // Renewal: a new key and certificate, presented by the same channel object from its next connection.
        using var channel = ControllerChannel.Create(Options(restarted));
        var renewing = new HostEnrollment(Options(restarted), restarted, null, TimeProvider.System, NullLogger<HostEnrollment>.Instance);
        await renewing.RenewAsync(CancellationToken.None);
        Assert.NotEqual(first, restarted.Current!.SerialNumber);
        Assert.True(restarted.RenewAt() > DateTimeOffset.UtcNow.AddDays(19));
        await using var again = await ScriptedAgent.ConnectAsync(channel, "host-a");
    }
}
