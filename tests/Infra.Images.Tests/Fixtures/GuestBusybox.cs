using Infra.TestHosts;

namespace Infra.Images.Tests.Fixtures;

/// <summary>
/// The busybox binary the small image ships (from the busybox-static .deb the image build keeps in
/// its cache), so the guest's awk and shell scripts can be tested on the host exactly as they run.
/// </summary>
public static class GuestBusybox
{
    private static readonly Lazy<Task<string>> Path_ = new(async () =>
    {
        await ImageBuild.EnsureAsync("small");
        var debs = Path.Combine(Environment.GetEnvironmentVariable("INFRA_IMAGE_CACHE") ?? "/var/cache/infra-images", "debs");
        var deb = new DirectoryInfo(debs).GetFiles("busybox-static_*.deb").OrderByDescending(f => f.LastWriteTimeUtc).FirstOrDefault()
            ?? throw new InvalidOperationException($"no busybox-static .deb in {debs} after building the small image");
        var dir = Path.Combine(Path.GetTempPath(), $"infra-image-busybox-{Environment.ProcessId}");
        Cmd.Run("dpkg-deb", "-x", deb.FullName, dir);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(dir, true); } catch (IOException) { } };
        return Path.Combine(dir, "bin", "busybox");
    });

    public static Task<string> PathAsync() => Path_.Value;

    /// <summary>The small image's rootfs/ folder in this repository.</summary>
    public static string RootFs => Path.Combine(ImageBuild.RepoRoot, "images", "small", "rootfs");
}
