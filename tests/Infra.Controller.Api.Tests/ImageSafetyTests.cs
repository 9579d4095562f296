using System.Diagnostics;
using Grpc.Core;
using Infra.Controller.Api.Tests.Support;
using Infra.V1;
using static Infra.Controller.Api.Tests.Support.Fixtures;

namespace Infra.Controller.Api.Tests;

/// <summary>
/// Images that would make qemu on a hypervisor open a host file are refused at import, with the
/// field named and nothing stored. The images are made by the real qemu-img, as an attacker would.
/// </summary>
public sealed class ImageSafetyTests : IAsyncLifetime
{
    ApiServer s = null!;
    readonly string dir = Directory.CreateTempSubdirectory("evil-images-").FullName;

    public async Task InitializeAsync() => s = await ApiServer.StartAsync();

    public async Task DisposeAsync()
    {
        await s.DisposeAsync();
        Directory.Delete(dir, recursive: true);
    }

    byte[] QemuImg(string name, params string[] args)
    {
        var path = Path.Combine(dir, name);
        using var p = Process.Start(new ProcessStartInfo("qemu-img", [.. args, path]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var err = p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(30_000) && p.ExitCode == 0, $"qemu-img {string.Join(' ', args)}: {err}");
        return File.ReadAllBytes(path);
    }

    async Task RefusedAsync(byte[] image, params string[] why)
    {
        var e = await FailsAsync(StatusCode.InvalidArgument, () => ImportAsync(s, "evil", image));
        Assert.Equal(["data"], BadFields(e));
        foreach (var w in why) Assert.Contains(w, e.Status.Detail);
        Assert.Empty((await s.Images.ListImagesAsync(new ListImagesRequest())).Images);
        var images = Path.Combine(s.Dir, "images");
        Assert.True(!Directory.Exists(images) || Directory.GetFiles(images).Length == 0, "a refused upload left a file behind");
    }

    [Theory]
    [InlineData("/etc/hostname", "raw")]
    [InlineData("/etc/shadow", "raw")]
    public async Task Qcow2_WithABackingFileOnTheHost_IsRefused_NamingIt(string hostFile, string backingFormat) =>
        await RefusedAsync(QemuImg("backed.qcow2", "create", "-f", "qcow2", "-u", "-b", hostFile, "-F", backingFormat, "-o", "size=1M"),
            "backing file", hostFile, "qemu-img convert");

    [Fact]
    public async Task Qcow2_WithAnExternalDataFile_IsRefused()
    {
        var data = Path.Combine(dir, "data.raw");
        File.WriteAllBytes(data, new byte[1 << 20]);
        await RefusedAsync(QemuImg("datafile.qcow2", "create", "-f", "qcow2", "-o", $"data_file={data},size=1M"), "external data file");
    }

    [Theory]
    [InlineData("vmdk")]
    [InlineData("vhdx")]
    [InlineData("vdi")]
    [InlineData("qed")]
    [InlineData("vpc")]
    public async Task OtherFormats_AreRefused_WithHowToConvert(string format) =>
        await RefusedAsync(QemuImg("other." + format, "create", "-f", format, "-o", "size=1M"), "only RAW and QCOW2", "qemu-img convert");

    [Theory]
    [InlineData("1.1")]
    [InlineData("0.10")]
    public async Task SelfContainedQcow2_V3AndV2_AreImported_WithTheirVirtualSize(string compat)
    {
        var image = await ImportAsync(s, "ok-" + compat.Replace('.', '-'), QemuImg("ok.qcow2", "create", "-f", "qcow2", "-o", $"compat={compat},size=3M"));
        Assert.Equal(DiskFormat.Qcow2, image.Format);
        Assert.Equal(3UL << 20, image.VirtualSizeBytes);
    }
}
