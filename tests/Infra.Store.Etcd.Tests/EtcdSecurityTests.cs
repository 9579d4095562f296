using Infra.Store.Etcd.Tests.Support;
using Infra.TestHosts;

namespace Infra.Store.Etcd.Tests;

/// <summary>
/// EtcdSecurity against a real etcd on TLS: mutual TLS with a CA and a client certificate (and what
/// happens without them), user/password auth, and validation that names every bad option.
/// </summary>
public sealed class EtcdSecurityTests : IDisposable
{
    readonly TestPki _pki = new("etcd-test-ca");
    public void Dispose() => _pki.Dispose();

    static async Task KvWatchAndLeaseWorkAsync(EtcdStore store)
    {
        var put = await store.PutAsync("/tls/a", "1");
        Assert.Equal("1", (await store.GetAsync("/tls/a"))!.ValueString);
        using var cts = new CancellationTokenSource(Bounded.Bound);
        await using var e = store.WatchAsync(WatchRequest.Single("/tls/a", put.Header.Revision), cts.Token).GetAsyncEnumerator();
        Assert.Equal("1", (await Bounded.CollectAsync(e, 1))[0].Kv.ValueString);
        var lease = await store.LeaseGrantAsync(new LeaseGrantRequest(10));
        Assert.Equal(10, (await store.LeaseKeepAliveAsync(lease.Id)).TtlSeconds);
    }

    [Fact]
    public async Task MutualTls_WithTheCaAndAClientCertificate_ServesKvWatchAndLeases()
    {
        await using var etcd = await EtcdProcess.StartNewAsync(_pki, clientCertAuth: true);
        await using var store = EtcdStore.Connect(new EtcdStoreOptions([etcd.ClientUrl], Security: etcd.ClientSecurity));
        await KvWatchAndLeaseWorkAsync(store);
    }

    [Fact]
    public async Task MutualTls_WithoutAClientCertificate_OrTrustingAnotherCa_IsRefused()
    {
        await using var etcd = await EtcdProcess.StartNewAsync(_pki, clientCertAuth: true);
        using var other = new TestPki("someone-else");
        foreach (var security in new[] { new EtcdSecurity(CaFile: _pki.CaFile), etcd.ClientSecurity! with { CaFile = other.CaFile } })
        {
            await using var store = EtcdStore.Connect(new EtcdStoreOptions([etcd.ClientUrl], CallTimeout: TimeSpan.FromSeconds(3), Security: security));
            await Assert.ThrowsAnyAsync<StoreException>(() => store.GetAsync("/tls/a"));
        }
    }

    [Fact]
    public async Task PasswordAuth_TheTokenGoesWithEveryCall_AWrongPasswordSaysSo()
    {
        await using var etcd = await EtcdProcess.StartNewAsync(_pki);
        etcd.Ctl("user", "add", "root", "--new-user-password", "root-pw-0123", "--interactive=false");
        etcd.Ctl("user", "grant-role", "root", "root");
        etcd.Ctl("auth", "enable");

        await using (var store = EtcdStore.Connect(new EtcdStoreOptions([etcd.ClientUrl], Security: etcd.ClientSecurity! with { Username = "root", Password = "root-pw-0123" })))
            await KvWatchAndLeaseWorkAsync(store);

        await using var plain = EtcdStore.Connect(new EtcdStoreOptions([etcd.ClientUrl], Security: etcd.ClientSecurity));
        var anonymous = await Assert.ThrowsAnyAsync<StoreException>(() => plain.GetAsync("/tls/a"));
        Assert.Contains("user name is empty", anonymous.Message);
        await using var wrong = EtcdStore.Connect(new EtcdStoreOptions([etcd.ClientUrl], Security: etcd.ClientSecurity! with { Username = "root", Password = "nope" }));
        var refused = await Assert.ThrowsAnyAsync<StoreException>(() => wrong.GetAsync("/tls/a"));
        Assert.Contains("authentication failed", refused.Message);
    }

    [Fact]
    public void Validate_NamesEveryBadOption()
    {
        var (cert, _) = _pki.Issue("c", []);
        var errors = new EtcdSecurity(CaFile: "/nonexistent/ca.pem", CertFile: cert, Username: "root")
            .Validate(["https://127.0.0.1:2379"], n => "etcd." + n);
        Assert.Contains("etcd.CaFile: /nonexistent/ca.pem does not exist", errors);
        Assert.Contains(errors, e => e.StartsWith("etcd.CertFile/etcd.KeyFile: give both", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("etcd.Username/etcd.Password: give both", StringComparison.Ordinal));

        Assert.Contains(new EtcdSecurity(CaFile: _pki.CaFile).Validate(["http://127.0.0.1:2379"]),
            e => e.Contains("is plaintext; use https://", StringComparison.Ordinal));
        Assert.Contains(new EtcdSecurity(Username: "u", Password: "p").Validate(["http://10.0.0.1:2379"]),
            e => e.Contains("in the clear", StringComparison.Ordinal));
        Assert.Empty(new EtcdSecurity(Username: "u", Password: "p").Validate(["http://127.0.0.1:2379"]));
        File.WriteAllText(Path.Combine(_pki.Dir, "junk.pem"), "not a certificate");
        Assert.Contains(new EtcdSecurity(CaFile: Path.Combine(_pki.Dir, "junk.pem")).Validate(["https://127.0.0.1:2379"]),
            e => e.Contains("holds no PEM certificate", StringComparison.Ordinal));
    }
}
