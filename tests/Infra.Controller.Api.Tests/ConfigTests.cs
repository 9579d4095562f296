using Infra.Controller.Auth;
using Infra.Controller.Config;
using Infra.Controller.Hosting;

namespace Infra.Controller.Api.Tests;

public sealed class ConfigTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "infra-config-" + Guid.NewGuid().ToString("N"));
    public ConfigTests() => Directory.CreateDirectory(_dir);
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string Yaml(string text)
    {
        var path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".yaml");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Load_FlagsOverrideYaml_AndYamlOverridesDefaults()
    {
        var path = Yaml("listen: 127.0.0.1:9000\nstore: sqlite:/tmp/x.db\ntokens: [abcdefghijklmnop1234]\nplacement:\n  cpu_overcommit: 2.0\n");
        var (flags, argErrors) = ConfigLoader.ParseArgs(["--config", path, "--listen=127.0.0.1:0"]);
        Assert.Empty(argErrors);
        var (config, errors) = ConfigLoader.Load(flags);
        Assert.Empty(errors);
        Assert.Equal("127.0.0.1:0", config!.Listen);
        Assert.Equal("sqlite:/tmp/x.db", config.Store);
        Assert.Equal(2.0, config.Placement.CpuOvercommit);
        Assert.Equal(1.0, config.Placement.MemoryOvercommit);
    }

    [Fact]
    public void Load_UnknownYamlKey_IsAnErrorWithItsLine()
    {
        var (config, errors) = ConfigLoader.Load(new Flags(ConfigPath: Yaml("listen: 127.0.0.1:1\nlisten_port: 5\n"), InsecureAllowNoAuth: true));
        Assert.Null(config);
        Assert.Contains(errors, e => e.Contains(":2:", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_InsecureOnNonLoopback_AndEtcdWithoutEndpoints_BothReported()
    {
        var (_, errors) = ConfigLoader.Load(new Flags(ConfigPath: Yaml("{}"), Listen: "0.0.0.0:7443", Store: "etcd:", InsecureAllowNoAuth: true));
        Assert.Contains(errors, e => e.StartsWith("insecure_allow_no_auth", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("store:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("0.0.0.0:7443", false, true)]
    [InlineData("10.0.0.5:7443", false, true)]
    [InlineData("[::]:7443", false, true)]
    [InlineData("127.0.0.1:7443", false, false)]
    [InlineData("127.0.0.2:7443", false, false)]
    [InlineData("[::1]:7443", false, false)]
    [InlineData("0.0.0.0:7443", true, false)]
    public void Load_NonLoopbackListenerWithoutTls_IsRefusedSayingHowToFix(string listen, bool tls, bool refused)
    {
        var tlsYaml = "";
        if (tls)
        {
            File.WriteAllText(Path.Combine(_dir, "c.pem"), "");
            File.WriteAllText(Path.Combine(_dir, "k.pem"), "");
            tlsYaml = $"tls: {{cert_file: {Path.Combine(_dir, "c.pem")}, key_file: {Path.Combine(_dir, "k.pem")}}}\n";
        }
        var (_, errors) = ConfigLoader.Load(new Flags(ConfigPath: Yaml(tlsYaml + "tokens: [abcdefghijklmnop1234]\n"), Listen: listen));
        var error = errors.SingleOrDefault(e => e.StartsWith("listen:", StringComparison.Ordinal));
        if (!refused) Assert.Null(error);
        else
        {
            Assert.NotNull(error);
            Assert.Contains("tls.cert_file", error);
            Assert.Contains("127.0.0.1", error);
        }
    }

    [Theory]
    [InlineData(null, "127.0.0.1:7443", false, "etcd:http://127.0.0.1:2379", null)]
    [InlineData(null, "0.0.0.0:7443", false, "sqlite:/var/lib/infra/state.db", null)]
    [InlineData(null, "0.0.0.0:7443", false, "etcd:http://127.0.0.1:2379", "set advertise_url")]
    [InlineData(null, "[::]:7443", true, "etcd:http://127.0.0.1:2379", "https://10.0.0.5:7443")]
    [InlineData("http://10.0.0.5:7443", "0.0.0.0:7443", false, "etcd:http://127.0.0.1:2379", null)]
    [InlineData("https://ctl-1.example:7443", "0.0.0.0:7443", true, "etcd:http://127.0.0.1:2379", null)]
    [InlineData("https://10.0.0.5:7443", "0.0.0.0:7443", false, "etcd:http://127.0.0.1:2379", "has no TLS")]
    [InlineData("http://10.0.0.5:7443", "0.0.0.0:7443", true, "etcd:http://127.0.0.1:2379", "uses TLS")]
    [InlineData("10.0.0.5:7443", "0.0.0.0:7443", false, "etcd:http://127.0.0.1:2379", "is not http://host:port")]
    [InlineData("http://10.0.0.5:7443/api", "0.0.0.0:7443", false, "etcd:http://127.0.0.1:2379", "no path")]
    [InlineData("http://0.0.0.0:7443", "0.0.0.0:7443", false, "etcd:http://127.0.0.1:2379", "wildcard")]
    public void AdvertiseUrl_DerivedUnlessWildcardOnASharedStore_ElseValidated(string? url, string listen, bool tls, string store, string? error)
    {
        var problem = Advertise.Check(url, System.Net.IPEndPoint.Parse(listen), tls, store);
        if (error is null) Assert.Null(problem);
        else Assert.Contains(error, problem);
    }

    [Fact]
    public void Load_AdvertiseUrlFlagOverridesYaml_AndSnapshotTimeoutIsRead()
    {
        var path = Yaml("advertise_url: http://10.0.0.9:7443\nsnapshot_timeout_seconds: 30\ninsecure_allow_no_auth: true\n");
        var (flags, argErrors) = ConfigLoader.ParseArgs(["--config", path, "--advertise-url", "http://10.0.0.1:7443"]);
        Assert.Empty(argErrors);
        var (config, errors) = ConfigLoader.Load(flags);
        Assert.Empty(errors);
        Assert.Equal("http://10.0.0.1:7443", config!.AdvertiseUrl);
        Assert.Equal(TimeSpan.FromSeconds(30), config.SnapshotTimeout);
    }

    [Theory]
    [InlineData("", 90, null)]
    [InlineData("audit_retention_days: 1\n", 1, null)]
    [InlineData("audit_retention_days: 3650\n", 3650, null)]
    [InlineData("audit_retention_days: 0\n", 0, "audit_retention_days: must be 1-3650")]
    [InlineData("audit_retention_days: 3651\n", 0, "audit_retention_days: must be 1-3650")]
    [InlineData("audit_retention_days: soon\n", 0, ":1:")]
    public void Load_AuditRetentionDays_DefaultsTo90AndMustBe1To3650(string yaml, int days, string? error)
    {
        var (config, errors) = ConfigLoader.Load(new Flags(ConfigPath: Yaml(yaml + "insecure_allow_no_auth: true\n")));
        if (error is null)
        {
            Assert.Empty(errors);
            Assert.Equal(TimeSpan.FromDays(days), config!.AuditRetention);
        }
        else
        {
            Assert.Null(config);
            Assert.Contains(errors, e => e.Contains(error, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("sqlite:/var/lib/infra/state.db", true)]
    [InlineData("sqlite:relative.db", false)]
    [InlineData("etcd:http://127.0.0.1:2379,http://10.0.0.2:2379", true)]
    [InlineData("etcd:ftp://x", false)]
    [InlineData("redis:x", false)]
    public void StoreSpec_Parses(string text, bool ok) => Assert.Equal(ok, StoreSpec.TryParse(text, out _, out _));

    [Theory]
    [InlineData("/infra.v1.Tenants/ListTenants", "", false)]
    [InlineData("/infra.v1.Tenants/ListTenants", "Bearer nope-nope-nope-nope", false)]
    [InlineData("/infra.v1.Tenants/ListTenants", "Bearer good-token-0123456789", true)]
    [InlineData("/infra.v1.Tenants/ListTenants", "bearer good-token-0123456789", true)]
    [InlineData("/grpc.health.v1.Health/Check", "", true)]
    public void BearerAuth_Decides(string path, string header, bool allowed) =>
        Assert.Equal(allowed, new BearerTokenAuth(new HashSet<string> { "good-token-0123456789" }, false).Allowed(path, header, out _));
}
