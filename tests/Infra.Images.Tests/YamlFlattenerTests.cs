using Infra.Images.Tests.Fixtures;
using Infra.TestHosts;

namespace Infra.Images.Tests;

/// <summary>
/// The small image's YAML reader (rootfs/lib/yaml.awk), run by the image's own busybox awk: one row
/// per shape of NoCloud file a config drive writer (ours, cloud-localds, PyYAML, netplan) produces.
/// </summary>
public sealed class YamlFlattenerTests
{
    [Theory]
    // netplan style: indented block sequences, quoted scalars, a sequence of maps, flow lists, comments
    [InlineData("""
        # comment
        version: 2
        ethernets:
          eth0:
            match:
              macaddress: "52:54:00:12:34:56"   # trailing comment
            addresses:
              - 10.0.0.5/24
              - 'fd00::5/64'
            routes:
              - to: default
                via: 10.0.0.1
                metric: 100
            nameservers:
              addresses: [10.0.0.2, "fd00::2"]
        """, """
        version=2
        ethernets.eth0.match.macaddress=52:54:00:12:34:56
        ethernets.eth0.addresses.0=10.0.0.5/24
        ethernets.eth0.addresses.1=fd00::5/64
        ethernets.eth0.routes.0.to=default
        ethernets.eth0.routes.0.via=10.0.0.1
        ethernets.eth0.routes.0.metric=100
        ethernets.eth0.nameservers.addresses.0=10.0.0.2
        ethernets.eth0.nameservers.addresses.1=fd00::2
        """)]
    // PyYAML style: sequences at their key's indent, keys sorted; flow maps as items and as values
    [InlineData("""
        ethernets:
          port0:
            addresses:
            - 192.168.1.9/24
            match: {macaddress: '52:54:00:00:00:01', name: "e*"}
            routes:
            - to: 0.0.0.0/0
              via: 192.168.1.1
            - {to: 10.9.0.0/16, via: 192.168.1.254}
        version: 2
        """, """
        ethernets.port0.addresses.0=192.168.1.9/24
        ethernets.port0.match.macaddress=52:54:00:00:00:01
        ethernets.port0.match.name=e*
        ethernets.port0.routes.0.to=0.0.0.0/0
        ethernets.port0.routes.0.via=192.168.1.1
        ethernets.port0.routes.1.to=10.9.0.0/16
        ethernets.port0.routes.1.via=192.168.1.254
        version=2
        """)]
    // meta-data: public-keys as a list, as a map of names, and values with spaces and colons
    [InlineData("""
        ---
        instance-id: iid-1
        local-hostname: vm-one
        public-keys:
          - ssh-ed25519 AAAAC3Nz alice@x
          - "ssh-rsa AAAAB3 bob: y"
        """, """
        instance-id=iid-1
        local-hostname=vm-one
        public-keys.0=ssh-ed25519 AAAAC3Nz alice@x
        public-keys.1=ssh-rsa AAAAB3 bob: y
        """)]
    [InlineData("""
        public-keys:
          default: ssh-ed25519 AAAA one@x
          other:
          - ssh-ed25519 BBBB two@x
        """, """
        public-keys.default=ssh-ed25519 AAAA one@x
        public-keys.other.0=ssh-ed25519 BBBB two@x
        """)]
    // cloud-config: nested sequences of maps (users) and a block scalar, kept as one line
    [InlineData("""
        #cloud-config
        hostname: from-user-data
        users:
          - name: ops
            ssh_authorized_keys:
              - ssh-ed25519 CCCC ops@x
        write_files:
          - content: |
              line one
              line two
            path: /etc/x
        """, """
        hostname=from-user-data
        users.0.name=ops
        users.0.ssh_authorized_keys.0=ssh-ed25519 CCCC ops@x
        write_files.0.content=line one\nline two
        write_files.0.path=/etc/x
        """)]
    public async Task Flattens(string yaml, string expected)
    {
        var busybox = await GuestBusybox.PathAsync();
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, yaml + "\n");
            var flat = Cmd.Run(busybox, "awk", "-f", Path.Combine(GuestBusybox.RootFs, "lib", "yaml.awk"), file);
            Assert.Equal(expected.ReplaceLineEndings("\n").Trim(), flat.Trim());
        }
        finally { File.Delete(file); }
    }
}
