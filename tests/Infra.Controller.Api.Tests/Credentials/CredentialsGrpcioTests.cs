using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using Infra.Controller.Api.Tests.Support;
using Infra.V1;

namespace Infra.Controller.Api.Tests.Credentials;

/// <summary>A foreign client (Debian's python3-grpcio) calls the shipped daemon with an issued tenant
/// credential: it sees its tenant only, and after a revoke it is UNAUTHENTICATED.</summary>
public sealed class CredentialsGrpcioTests : IDisposable
{
    const string Bootstrap = "bootstrap-token-0123456789";
    readonly string _dir = Path.Combine(Path.GetTempPath(), "infra-cred-" + Guid.NewGuid().ToString("N"));

    public CredentialsGrpcioTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    static async Task<string> PythonAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Python", "call_raw.py"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try { await p.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { p.Kill(true); throw; }
        Assert.True(p.ExitCode == 0, await stderr);
        return (await stdout).Trim();
    }

    [Fact]
    public async Task Grpcio_WithTenantCredential_SeesItsTenant_ThenRevokedIsUnauthenticated()
    {
        File.WriteAllText(Path.Combine(_dir, "tokens"), Bootstrap + "\n");
        File.WriteAllText(Path.Combine(_dir, "c.yaml"), $"image_directory: {_dir}/images\n");
        var ready = Path.Combine(_dir, "ready");
        using var d = DaemonProcess.Start("--config", Path.Combine(_dir, "c.yaml"), "--listen", "127.0.0.1:0", "--ready-file", ready,
            "--store", "sqlite:" + Path.Combine(_dir, "state.db"), "--token-file", Path.Combine(_dir, "tokens"));
        var url = new Uri(await d.WaitReadyAsync(ready));
        using var channel = GrpcChannel.ForAddress(url);
        var admin = new Metadata { { "authorization", "Bearer " + Bootstrap } };
        var tenants = new Tenants.TenantsClient(channel);
        var a = await tenants.CreateTenantAsync(new CreateTenantRequest { Name = "a" }, admin);
        await tenants.CreateTenantAsync(new CreateTenantRequest { Name = "b" }, admin);
        var credentials = new Infra.V1.Credentials.CredentialsClient(channel);
        var issued = await credentials.CreateCredentialAsync(new CreateCredentialRequest
        {
            Label = "python", Kind = CredentialKind.Tenant, TenantId = a.Meta.Id, Role = CredentialRole.Reader,
        }, admin);

        var seen = await PythonAsync(url.Authority, issued.Token, "/infra.v1.Tenants/ListTenants");
        Assert.StartsWith("OK ", seen);
        var listed = ListTenantsResponse.Parser.ParseFrom(Convert.FromHexString(seen[3..]));
        Assert.Equal([a.Meta.Id], listed.Tenants.Select(t => t.Meta.Id));

        await credentials.RevokeCredentialAsync(new RevokeCredentialRequest { Id = issued.Credential.Id }, admin);
        var refused = await PythonAsync(url.Authority, issued.Token, "/infra.v1.Tenants/ListTenants");
        Assert.StartsWith($"ERR UNAUTHENTICATED credential {issued.Credential.Id} was revoked at", refused);
    }
}
