using System.Text;
using Infra.Agent.Compute.ConfigDrive;
using Infra.TestHosts;

namespace Infra.Agent.Compute.Tests.ConfigDrive;

/// <summary>The ISO writer read back by its real peers: isoinfo (genisoimage's reader), blkid and Linux's isofs.</summary>
public sealed class Iso9660WriterTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("iso-test-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static readonly string Meta = "instance-id: \"ins-aaaaaaaaaaaaaaaa\"\nlocal-hostname: \"web-1\"\n";
    static readonly string Net = "version: 2\nethernets: {}\n";
    // Larger than a sector, and not a multiple of one, so extents and padding are exercised.
    static readonly byte[] User = Encoding.UTF8.GetBytes("#!/bin/sh\n" + string.Concat(Enumerable.Repeat("echo 0123456789abcdef\n", 300)));

    /// <summary>
    /// Whether this kernel has isofs. Where it does not (some CI VMs' kernels), the loop mounts below
    /// return early; the end-to-end test's guest (Debian's cloud kernel) mounts the same image anyway.
    /// </summary>
    static bool KernelHasIsofs()
    {
        if (File.ReadAllText("/proc/filesystems").Contains("iso9660")) return true;
        Cmd.RunWithExit("modprobe", ["isofs"]);
        return File.ReadAllText("/proc/filesystems").Contains("iso9660");
    }

    string Write(byte[] image)
    {
        var path = Path.Combine(_dir, "cidata.iso");
        File.WriteAllBytes(path, image);
        return path;
    }

    [Fact]
    public void Build_IsReadByIsoinfo_WithLabelAndFiles()
    {
        var iso = Write(NoCloudImage.Build(Meta, Net, User));
        var pvd = Cmd.Run("isoinfo", "-d", "-i", iso);
        Assert.Contains("Volume id: cidata", pvd);
        Assert.Contains("Logical block size is: 2048", pvd);
        var list = Cmd.Run("isoinfo", "-f", "-i", iso);
        Assert.Equal(["/META-DATA.;1", "/NETWORK-CONFIG.;1", "/USER-DATA.;1"], list.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(Meta, Cmd.Run("isoinfo", "-i", iso, "-x", "/META-DATA.;1"));
        Assert.Equal(Net, Cmd.Run("isoinfo", "-i", iso, "-x", "/NETWORK-CONFIG.;1"));
        Assert.Equal(Encoding.UTF8.GetString(User), Cmd.Run("isoinfo", "-i", iso, "-x", "/USER-DATA.;1"));
    }

    [Fact]
    public void Build_IsFoundByLabel_AndMountsWithTheNamesCloudInitReads()
    {
        var iso = Write(NoCloudImage.Build(Meta, Net, User));
        Assert.Equal("cidata", Cmd.Run("blkid", "-o", "value", "-s", "LABEL", iso).Trim());
        Assert.Equal("iso9660", Cmd.Run("blkid", "-o", "value", "-s", "TYPE", iso).Trim());
        if (!KernelHasIsofs()) return;
        var mnt = Path.Combine(_dir, "mnt");
        Directory.CreateDirectory(mnt);
        Cmd.Run("mount", "-o", "loop,ro", "-t", "iso9660", iso, mnt);
        try
        {
            Assert.Equal(["meta-data", "network-config", "user-data"], Directory.GetFiles(mnt).Select(f => Path.GetFileName(f)!).Order().ToArray());
            Assert.Equal(Meta, File.ReadAllText(Path.Combine(mnt, "meta-data")));
            Assert.Equal(Net, File.ReadAllText(Path.Combine(mnt, "network-config")));
            Assert.Equal(User, File.ReadAllBytes(Path.Combine(mnt, "user-data")));
        }
        finally
        {
            Cmd.RunWithExit("umount", [mnt]);
        }
    }

    /// <summary>
    /// The small guest image finds its drive with busybox's findfs, which gives up on devices shorter
    /// than the 0x11000 bytes its volume_id reads at once: a small drive must still be found.
    /// </summary>
    [Fact]
    public void Build_SmallDrive_IsFoundByBusyboxFindfs_OnABlockDevice()
    {
        var iso = Write(NoCloudImage.Build(Meta, Net, []));
        Assert.True(new FileInfo(iso).Length >= 0x11000, $"the drive is {new FileInfo(iso).Length} bytes");
        var loop = Cmd.Run("losetup", "--find", "--show", "--read-only", iso).Trim();
        try
        {
            // findfs scans every block device; the label must resolve to ours (a host may have another cidata).
            var found = Cmd.RunWithExit("busybox", ["findfs", "LABEL=cidata"]).Output.Trim();
            Assert.Equal(loop, found);
        }
        finally
        {
            Cmd.RunWithExit("losetup", ["-d", loop]);
        }
    }

    [Fact]
    public void Build_WithEmptyUserData_MountsAnEmptyFile()
    {
        var iso = Write(NoCloudImage.Build(Meta, Net, []));
        Assert.Equal("", Cmd.Run("isoinfo", "-i", iso, "-x", "/USER-DATA.;1"));
        if (!KernelHasIsofs()) return;
        var mnt = Path.Combine(_dir, "mnt");
        Directory.CreateDirectory(mnt);
        Cmd.Run("mount", "-o", "loop,ro", iso, mnt);
        try { Assert.Equal(0, new FileInfo(Path.Combine(mnt, "user-data")).Length); }
        finally { Cmd.RunWithExit("umount", [mnt]); }
    }

    [Fact]
    public void Build_IsDeterministic_AndChangesWithContent()
    {
        var a = NoCloudImage.Build(Meta, Net, User);
        Assert.Equal(a, NoCloudImage.Build(Meta, Net, User));
        Assert.NotEqual(NoCloudImage.Hash(a), NoCloudImage.Hash(NoCloudImage.Build(Meta, Net + "\n", User)));
        Assert.Equal(0, a.Length % Iso9660Writer.SectorSize);
    }

    [Theory]
    [InlineData("meta-data", "META-DATA.;1")]
    [InlineData("vendor-data", "VENDOR-DATA.;1")]
    [InlineData("a.txt", "A.TXT;1")]
    public void Identifier_UpperCasesAndAddsVersion(string name, string id) => Assert.Equal(id, Iso9660Writer.Identifier(name));
}
