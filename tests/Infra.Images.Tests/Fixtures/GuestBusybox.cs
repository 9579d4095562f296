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
        // Unpacked once per .deb next to the build cache (a cache too: nothing to clean up per run).
        var dir = Path.Combine(Path.GetDirectoryName(debs)!, "test-busybox", Path.GetFileNameWithoutExtension(deb.Name));
        Directory.CreateDirectory(Path.GetDirectoryName(dir)!);
        var busybox = Path.Combine(dir, "bin", "busybox");
        if (!File.Exists(busybox))
        {
            var tmp = dir + $".tmp{Environment.ProcessId}";
            Cmd.Run("dpkg-deb", "-x", deb.FullName, tmp);
            try { Directory.Move(tmp, dir); } catch (IOException) { Directory.Delete(tmp, true); } // another run won
        }
        return busybox;
    });

    public static Task<string> PathAsync() => Path_.Value;

    /// <summary>The small image's rootfs/ folder in this repository.</summary>
    public static string RootFs => Path.Combine(ImageBuild.RepoRoot, "images", "small", "rootfs");
}
