using Infra.Agent.Storage.Images;
using Infra.Agent.Storage.Volumes;

namespace Infra.Agent.Storage.Tests;

public class VolumeSpecTests
{
    [Fact]
    public void Validate_GoodSpecs_HaveNoErrors()
    {
        Assert.Empty(new VolumeSpec("vol-1", new RawFileBackend("/var/lib/x.raw")).Validate());
        Assert.Empty(new VolumeSpec("v2", new Qcow2CloneBackend("/a/c.qcow2", "/a/base.qcow2", ImageFormat.Qcow2)).Validate());
        Assert.Empty(new VolumeSpec("v3", new NbdBackend(NbdAddress.Tcp("10.0.0.2", 10809), "disk")).Validate());
    }

    [Fact]
    public void Validate_ReportsEveryErrorAtOnce()
    {
        var errors = new VolumeSpec("1 bad id", new NbdBackend(new NbdAddress(UnixSocket: "rel.sock", Host: "h", Port: 0), "")).Validate();
        Assert.Contains(errors, e => e.Contains("volume id"));
        Assert.Contains(errors, e => e.Contains("export name"));
        Assert.Contains(errors, e => e.Contains("exactly one"));
        Assert.Contains(errors, e => e.Contains("absolute path"));
        Assert.Contains(errors, e => e.Contains("port 0"));
    }

    [Theory]
    [InlineData("relative.raw", "raw file")]
    [InlineData("", "raw file")]
    public void Validate_RelativePath_IsRejected(string path, string what) =>
        Assert.Contains(new VolumeSpec("v", new RawFileBackend(path)).Validate(), e => e.StartsWith(what));

    [Fact]
    public void Validate_CloneOntoItsOwnBase_IsRejected() =>
        Assert.Contains(new VolumeSpec("v", new Qcow2CloneBackend("/a", "/a", ImageFormat.Raw)).Validate(), e => e.Contains("must differ"));
}
