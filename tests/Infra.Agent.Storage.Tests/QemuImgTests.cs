using Infra.Agent.Storage.Images;
using static Infra.Agent.Storage.Tests.TestFiles;

namespace Infra.Agent.Storage.Tests;

/// <summary>Image operations against the real qemu-img.</summary>
public class QemuImgTests
{
    private readonly QemuImg _img = new();

    [Fact]
    public async Task CreateClone_RecordsBaseAsBackingFile_AndReadsBaseData()
    {
        using var dir = new TempDir();
        await _img.CreateAsync(dir["base.raw"], ImageFormat.Raw, 8 * MiB);
        WriteAt(dir["base.raw"], 2 * MiB, "BASE-DATA");
        await _img.CreateCloneAsync(dir["clone.qcow2"], dir["base.raw"], ImageFormat.Raw);
        var info = await _img.InfoAsync(dir["clone.qcow2"]);
        Assert.Equal((ImageFormat.Qcow2, 8L * MiB, dir["base.raw"]), (info.Format, info.VirtualSize, info.BackingFile));
        await _img.ExportRawAsync(dir["clone.qcow2"], dir["out.raw"]);
        Assert.Equal("BASE-DATA", ReadAt(dir["out.raw"], 2 * MiB, 9));
    }

    [Theory]
    [InlineData(ImageFormat.Raw)]
    [InlineData(ImageFormat.Qcow2)]
    public async Task Import_OfRawOrQcow2_MakesStandaloneQcow2WithSameData(ImageFormat sourceFormat)
    {
        using var dir = new TempDir();
        await _img.CreateAsync(dir["src.raw"], ImageFormat.Raw, 4 * MiB);
        WriteAt(dir["src.raw"], 3 * MiB, "IMPORTED");
        var source = dir["src.raw"];
        if (sourceFormat == ImageFormat.Qcow2)
        {
            await _img.ConvertAsync(source, ImageFormat.Raw, dir["src.qcow2"], ImageFormat.Qcow2);
            source = dir["src.qcow2"];
        }
        var progress = new List<double>();
        var info = await _img.ImportAsync(source, dir["new.qcow2"], new SyncProgress<double>(progress));
        Assert.Equal((ImageFormat.Qcow2, 4L * MiB, (string?)null), (info.Format, info.VirtualSize, info.BackingFile));
        Assert.Equal(100, progress.Last());
        await _img.ExportRawAsync(dir["new.qcow2"], dir["check.raw"]);
        Assert.Equal("IMPORTED", ReadAt(dir["check.raw"], 3 * MiB, 8));
    }

    [Fact]
    public async Task Import_OntoExistingFile_RefusesAndLeavesItAlone()
    {
        using var dir = new TempDir();
        await _img.CreateAsync(dir["a.raw"], ImageFormat.Raw, MiB);
        await File.WriteAllTextAsync(dir["taken"], "keep");
        await Assert.ThrowsAsync<ImageToolException>(() => _img.ImportAsync(dir["a.raw"], dir["taken"]));
        Assert.Equal("keep", await File.ReadAllTextAsync(dir["taken"]));
    }

    [Fact]
    public async Task Info_OfMissingFile_ThrowsWithQemuImgReason()
    {
        using var dir = new TempDir();
        var ex = await Assert.ThrowsAsync<ImageToolException>(() => _img.InfoAsync(dir["nope.qcow2"]));
        Assert.Contains("nope.qcow2", ex.Message);
    }
}

/// <summary>IProgress that records synchronously (Progress&lt;T&gt; posts to the thread pool and may lag).</summary>
internal sealed class SyncProgress<T>(List<T> into) : IProgress<T>
{
    public void Report(T value) { lock (into) into.Add(value); }
}

internal static class SyncProgress
{
    public static SyncProgress<T> For<T>(List<T> into) => new(into);
}
