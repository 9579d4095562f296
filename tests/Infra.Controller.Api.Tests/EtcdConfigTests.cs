using Infra.Controller.Config;
using Infra.TestHosts;

namespace Infra.Controller.Api.Tests;

/// <summary>The etcd section (etcd.ca_file, cert_file, key_file, username, password_file): read, checked, every error named.</summary>
public sealed class EtcdConfigTests : IDisposable
{
    readonly TestPki _pki = new();
    public void Dispose() => _pki.Dispose();

    (ControllerConfig? Config, List<string> Errors) Load(string store, string etcdYaml)
    {
        var path = Path.Combine(_pki.Dir, Guid.NewGuid().ToString("N") + ".yaml");
        File.WriteAllText(path, $"tokens: [abcdefghijklmnop1234]\nstore: {store}\netcd:\n{etcdYaml}");
        return ConfigLoader.Load(new Flags(ConfigPath: path));
    }

    string Password(string text)
    {
        var path = Path.Combine(_pki.Dir, Guid.NewGuid().ToString("N"));
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void FullSection_OverHttps_IsValid_AndBecomesTheClientsSecurity()
    {
        var (cert, key) = _pki.Issue("infra-controller", []);
        var (config, errors) = Load("etcd:https://127.0.0.1:2379,https://10.0.0.2:2379",
            $"  ca_file: {_pki.CaFile}\n  cert_file: {cert}\n  key_file: {key}\n  username: infra\n  password_file: {Password("s3cret\n")}\n");

        Assert.Empty(errors);
        var (security, readErrors) = EtcdConfig.Security(config!.Etcd!);
        Assert.Empty(readErrors);
        Assert.Equal((_pki.CaFile, cert, key, "infra", "s3cret"), (security!.CaFile, security.CertFile, security.KeyFile, security.Username, security.Password));
    }

    [Theory]
    [InlineData("sqlite:/tmp/x.db", "  ca_file: CA\n", "etcd: is set but the store is sqlite:/tmp/x.db")]
    [InlineData("etcd:http://10.0.0.1:2379", "  ca_file: CA\n", "etcd.ca_file: set, but the etcd endpoint http://10.0.0.1:2379 is plaintext; use https:// endpoints")]
    [InlineData("etcd:https://10.0.0.1:2379", "  cert_file: CA\n", "etcd.cert_file/etcd.key_file: give both the client certificate and its key, or neither")]
    [InlineData("etcd:https://10.0.0.1:2379", "  ca_file: /nonexistent/ca.pem\n", "etcd.ca_file: /nonexistent/ca.pem does not exist")]
    [InlineData("etcd:https://10.0.0.1:2379", "  username: infra\n", "etcd.username/etcd.password_file: give both the user name and its password, or neither")]
    [InlineData("etcd:https://10.0.0.1:2379", "  username: infra\n  password_file: /nonexistent/pw\n", "etcd.password_file: cannot read /nonexistent/pw")]
    [InlineData("etcd:https://10.0.0.1:2379", "  username: infra\n  password_file: EMPTY\n", "etcd.password_file: EMPTY is empty")]
    [InlineData("etcd:http://10.0.0.1:2379", "  username: infra\n  password_file: PW\n", "etcd.username: the password would cross http:// to 10.0.0.1 in the clear; use https:// endpoints")]
    public void BadSection_RefusedNamingTheField(string store, string yaml, string error)
    {
        var empty = Password("");
        yaml = yaml.Replace("CA", _pki.CaFile).Replace("EMPTY", empty).Replace("PW", Password("pw"));
        var (config, errors) = Load(store, yaml);

        Assert.Null(config);
        Assert.Contains(errors, e => e.StartsWith(error.Replace("EMPTY", empty), StringComparison.Ordinal));
    }
}
