using System.Diagnostics;
using System.Security.Cryptography;
using Google.Protobuf;
using Grpc.Core;
using Infra.Controller.Api.Tests.Support;
using Infra.V1;
using static Infra.Controller.Api.Tests.Support.Fixtures;

namespace Infra.Controller.Api.Tests;

/// <summary>
/// Key pairs, user-data and hostname through the API: keys made by the real ssh-keygen, the
/// fingerprint as ssh-keygen prints it, and every bad input refused with the field named and
/// nothing stored.
/// </summary>
public sealed class GuestConfigTests : IAsyncLifetime
{
    ApiServer s = null!;
    Tenant t = null!, other = null!;
    Network n = null!;
    Image img = null!;
    readonly string dir = Directory.CreateTempSubdirectory("keys-").FullName;

    public async Task InitializeAsync()
    {
        s = await ApiServer.StartAsync();
        t = await TenantAsync(s, "t");
        other = await TenantAsync(s, "other");
        n = await NetworkAsync(s, t.Meta.Id, "n", "10.0.0.0/24");
        img = await ImportAsync(s, "small", new byte[4096]);
        await RegisterHostAsync(s, "host-a");
    }

    public async Task DisposeAsync()
    {
        await s.DisposeAsync();
        Directory.Delete(dir, recursive: true);
    }

    /// <summary>A fresh key from ssh-keygen: its .pub line and the fingerprint ssh-keygen -l prints.</summary>
    (string Pub, string Fingerprint) NewKey(string type, string comment)
    {
        var path = Path.Combine(dir, $"id_{type}_{Guid.NewGuid():N}");
        Run("ssh-keygen", "-q", "-t", type, "-N", "", "-C", comment, "-f", path);
        var fp = Run("ssh-keygen", "-l", "-E", "sha256", "-f", path + ".pub").Split(' ')[1];
        return (File.ReadAllText(path + ".pub").Trim(), fp);
    }

    static string Run(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var o = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(30_000) && p.ExitCode == 0, $"{file} failed: {p.StandardError.ReadToEnd()}");
        return o;
    }

    CreateInstanceRequest Vm(string name) => new()
    {
        TenantId = t.Meta.Id, Name = name, Vcpus = 1, CpuMhz = 1000, MemoryMib = 256,
        Boot = new BootSource { ImageId = img.Meta.Id, SizeGib = 1, DeleteOnTermination = true },
        Ports = { new PortSpec { NetworkId = n.Meta.Id } },
    };

    async Task NothingStoredAsync()
    {
        Assert.Empty((await s.Instances.ListInstancesAsync(new ListInstancesRequest { TenantId = t.Meta.Id })).Instances);
        Assert.Empty((await s.Ports.ListPortsAsync(new ListPortsRequest { TenantId = t.Meta.Id })).Ports);
        Assert.Empty((await s.Volumes.ListVolumesAsync(new ListVolumesRequest { TenantId = t.Meta.Id })).Volumes);
    }

    [Theory]
    [InlineData("ed25519")]
    [InlineData("rsa")]
    [InlineData("ecdsa")]
    public async Task CreateKeyPair_FromSshKeygen_StoresTheLine_AndTheFingerprintSshKeygenPrints(string type)
    {
        var (pub, fp) = NewKey(type, "alice@laptop");
        var k = await s.KeyPairs.CreateKeyPairAsync(new CreateKeyPairRequest { TenantId = t.Meta.Id, Name = "alice-" + type, PublicKey = pub + "\n" });
        Assert.Equal(pub, k.PublicKey);
        Assert.Equal(fp, k.Fingerprint);
        Assert.Equal(pub.Split(' ')[0], k.KeyType);
        var listed = await s.KeyPairs.ListKeyPairsAsync(new ListKeyPairsRequest { TenantId = t.Meta.Id });
        Assert.Equal(k.Meta.Id, Assert.Single(listed.KeyPairs).Meta.Id);
    }

    [Theory]
    [InlineData("", "is required")]
    [InlineData("ssh-dss AAAAB3NzaC1kc3M=", "not supported")]
    [InlineData("ssh-ed25519", "no key data")]
    [InlineData("ssh-ed25519 not-base64!!", "not valid base64")]
    [InlineData("ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQAB", "is a ssh-rsa key")]
    [InlineData("-----BEGIN OPENSSH PRIVATE KEY-----", "private key")]
    public async Task CreateKeyPair_BadKey_InvalidArgumentNamingPublicKey_AndNothingStored(string key, string why)
    {
        var e = await FailsAsync(StatusCode.InvalidArgument, () =>
            s.KeyPairs.CreateKeyPairAsync(new CreateKeyPairRequest { TenantId = t.Meta.Id, Name = "bad", PublicKey = key }).ResponseAsync);
        Assert.Equal(["public_key"], BadFields(e));
        Assert.Contains(why, e.Status.Detail);
        Assert.Empty((await s.KeyPairs.ListKeyPairsAsync(new ListKeyPairsRequest { TenantId = t.Meta.Id })).KeyPairs);
    }

    [Fact]
    public async Task CreateInstance_WithKeyUserDataAndHostname_KeepsTheHash_NeverEchoesUserData_AndTheKeyCannotBeDeletedWhileUsed()
    {
        var key = await s.KeyPairs.CreateKeyPairAsync(new CreateKeyPairRequest { TenantId = t.Meta.Id, Name = "k", PublicKey = NewKey("ed25519", "k").Pub });
        var userData = "#cloud-config\nruncmd: [[touch, /tmp/hello]]\n"u8.ToArray();
        var req = Vm("web");
        req.UserData = ByteString.CopyFrom(userData);
        req.SshKeyIds.Add(key.Meta.Id);
        req.Hostname = "web-1";
        var i = await s.Instances.CreateInstanceAsync(req);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(userData)), i.UserDataSha256);
        Assert.Equal([key.Meta.Id], i.SshKeyIds);
        Assert.Equal("web-1", i.Hostname);
        var got = await s.Instances.GetInstanceAsync(new GetInstanceRequest { Id = i.Meta.Id });
        Assert.DoesNotContain("runcmd", got.ToString());

        var e = await FailsAsync(StatusCode.FailedPrecondition, () => s.KeyPairs.DeleteKeyPairAsync(new DeleteKeyPairRequest { Id = key.Meta.Id }).ResponseAsync);
        Assert.Equal("KEY_PAIR_IN_USE", Details(e).Details.Single().Unpack<Google.Rpc.PreconditionFailure>().Violations[0].Type);
        Assert.Contains(i.Meta.Id, e.Status.Detail);
    }

    [Fact]
    public async Task CreateInstance_UserDataOver64KiB_InvalidArgumentNamingUserData_AndNothingStored()
    {
        var req = Vm("big");
        req.UserData = ByteString.CopyFrom(new byte[64 * 1024 + 1]);
        var e = await FailsAsync(StatusCode.InvalidArgument, () => s.Instances.CreateInstanceAsync(req).ResponseAsync);
        Assert.Equal(["user_data"], BadFields(e));
        Assert.Contains("64 KiB", e.Status.Detail);
        await NothingStoredAsync();
    }

    [Fact]
    public async Task CreateInstance_UnknownOrForeignKeyPair_InvalidArgumentNamingTheIndex_AndNothingStored()
    {
        var foreign = await s.KeyPairs.CreateKeyPairAsync(new CreateKeyPairRequest { TenantId = other.Meta.Id, Name = "theirs", PublicKey = NewKey("ed25519", "x").Pub });
        var req = Vm("keys");
        req.SshKeyIds.Add(foreign.Meta.Id);
        var e = await FailsAsync(StatusCode.InvalidArgument, () => s.Instances.CreateInstanceAsync(req).ResponseAsync);
        Assert.Equal(["ssh_key_ids[0]"], BadFields(e));
        Assert.Contains("another tenant", e.Status.Detail);

        req.SshKeyIds.Clear();
        req.SshKeyIds.Add("key-aaaaaaaaaaaaaaaa");
        e = await FailsAsync(StatusCode.InvalidArgument, () => s.Instances.CreateInstanceAsync(req).ResponseAsync);
        Assert.Single(BadFields(e), f => f.StartsWith("ssh_key_ids[0]"));
        await NothingStoredAsync();
        // The foreign key can still be deleted: the refused create left no reference to it.
        await s.KeyPairs.DeleteKeyPairAsync(new DeleteKeyPairRequest { Id = foreign.Meta.Id });
    }

    [Fact]
    public async Task CreateInstance_BadHostname_InvalidArgumentNamingHostname()
    {
        var req = Vm("named");
        req.Hostname = "not a hostname!";
        var e = await FailsAsync(StatusCode.InvalidArgument, () => s.Instances.CreateInstanceAsync(req).ResponseAsync);
        Assert.Equal(["hostname"], BadFields(e));
        await NothingStoredAsync();
    }
}
