using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Grpc.Core;
using Infra.Controller.Api.Tests.Support;
using Infra.Controller.Domain.Enrollment;
using Infra.TestHosts;
using Infra.V1;

namespace Infra.Controller.Api.Tests;

/// <summary>
/// Enrollment through the real infra-controller process on its TLS listener, as it ships: the CA
/// exists from the first start, an operator's token creates a join token, a host enrolls with no other
/// credential and opens its session with the certificate alone, and the CA survives a restart.
/// </summary>
public sealed class DaemonEnrollmentTests : IDisposable
{
    const string Token = "daemon-enroll-token-0123456789";
    readonly string _dir = Directory.CreateTempSubdirectory("infra-daemon-enroll-").FullName;
    readonly TestPki _pki = new();

    public DaemonEnrollmentTests()
    {
        File.WriteAllText(Path.Combine(_dir, "tokens"), Token + "\n");
        var (cert, key) = _pki.Issue("controller", ["127.0.0.1"]);
        File.WriteAllText(Path.Combine(_dir, "controller.yaml"), $"image_directory: {_dir}/images\ntls:\n  cert_file: {cert}\n  key_file: {key}\n");
    }

    public void Dispose()
    {
        _pki.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    string[] Args(string ready) =>
    [
        "--config", Path.Combine(_dir, "controller.yaml"), "--listen", "127.0.0.1:0", "--ready-file", ready,
        "--store", "sqlite:" + Path.Combine(_dir, "state.db"), "--token-file", Path.Combine(_dir, "tokens"),
    ];

    [Fact]
    public async Task Daemon_EnrollsAHost_WhoseCertificateAloneOpensItsSession_AndKeepsItsCaAcrossRestarts()
    {
        string caPem;
        using (var d = DaemonProcess.Start(Args(Path.Combine(_dir, "ready1"))))
        {
            var url = await d.WaitReadyAsync(Path.Combine(_dir, "ready1"));
            Assert.StartsWith("https://", url);
            using var admin = TlsClients.Channel(url, _pki.CaFile, bearer: Token);
            var token = (await new Infra.V1.Enrollment.EnrollmentClient(admin).CreateJoinTokenAsync(new CreateJoinTokenRequest { HostId = "host-d" })).Token;

            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            using var anonymous = TlsClients.Channel(url, _pki.CaFile);
            var r = await new Infra.V1.Enrollment.EnrollmentClient(anonymous).EnrollAsync(new EnrollRequest
            {
                Token = token, HostId = "host-d", Csr = ByteString.CopyFrom(HostCertificates.CreateRequest(key, "host-d")),
            });
            caPem = r.CaCertificatePem;
            using var cert = X509Certificate2.CreateFromPem(r.CertificatePem, key.ExportPkcs8PrivateKeyPem());
            await using (var agent = await ScriptedAgent.ConnectAsync(TlsClients.Channel(url, _pki.CaFile, cert), "host-d")) { }
            var host = await new Hosts.HostsClient(admin).GetHostAsync(new GetHostRequest { Id = "host-d" });
            Assert.True(host.Cordoned);
            Assert.Equal("host-d", host.Inventory.Hostname);
            d.Process.Kill();
            await d.Process.WaitForExitAsync();
        }
        using (var d = DaemonProcess.Start(Args(Path.Combine(_dir, "ready2"))))
        {
            var url = await d.WaitReadyAsync(Path.Combine(_dir, "ready2"));
            using var admin = TlsClients.Channel(url, _pki.CaFile, bearer: Token);
            var token = (await new Infra.V1.Enrollment.EnrollmentClient(admin).CreateJoinTokenAsync(new CreateJoinTokenRequest())).Token;
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            using var anonymous = TlsClients.Channel(url, _pki.CaFile);
            var r = await new Infra.V1.Enrollment.EnrollmentClient(anonymous).EnrollAsync(new EnrollRequest
            {
                Token = token, HostId = "host-e", Csr = ByteString.CopyFrom(HostCertificates.CreateRequest(key, "host-e")),
            });
            Assert.Equal(caPem, r.CaCertificatePem);
            var reused = await Assert.ThrowsAsync<RpcException>(async () => await new Infra.V1.Enrollment.EnrollmentClient(anonymous).EnrollAsync(new EnrollRequest
            {
                Token = token, HostId = "host-e", Csr = ByteString.CopyFrom(HostCertificates.CreateRequest(key, "host-e")),
            }));
            Assert.Contains("already used", reused.Status.Detail);
        }
    }
}
