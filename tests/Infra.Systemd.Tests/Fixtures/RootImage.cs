using System.Diagnostics;

namespace Infra.Systemd.Tests.Fixtures;

/// <summary>
/// The cached debootstrapped Debian root (minbase + systemd + dbus) that every booted test root is an
/// overlay of. Built once per machine into a temp name and renamed into place, so a half-built root
/// is never used; a lock file keeps two test runs from building at the same time.
/// Override the location with INFRA_SYSTEMD_ROOT, the mirror with INFRA_DEBIAN_MIRROR.
/// </summary>
public static class RootImage
{
    public static string Path => Environment.GetEnvironmentVariable("INFRA_SYSTEMD_ROOT") is { Length: > 0 } p ? p : "/var/cache/infra-systemd-root";
    const string Suite = "bookworm";

    /// <summary>Builds the root when missing. Returns how long the build took (zero when cached).</summary>
    public static TimeSpan EnsureBuilt()
    {
        if (IsComplete(Path)) return TimeSpan.Zero;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        using var lockFile = AcquireLock(Path + ".lock", TimeSpan.FromMinutes(20));
        if (IsComplete(Path)) return TimeSpan.Zero; // another run built it while we waited
        if (!File.Exists("/usr/sbin/debootstrap"))
            throw new InvalidOperationException("debootstrap is missing: run tests/setup-host.sh (apt-get install debootstrap)");
        var building = $"{Path}.building-{Environment.ProcessId}";
        if (Directory.Exists(building)) Directory.Delete(building, recursive: true);
        var sw = Stopwatch.StartNew();
        try
        {
            Cmd.Run(TimeSpan.FromMinutes(20), "/usr/sbin/debootstrap", "--variant=minbase", "--include=systemd,systemd-sysv,dbus",
                Suite, building, Mirror());
            Directory.Move(building, Path);
        }
        catch
        {
            // A failed debootstrap leaves proc/sys mounts behind only when killed mid-way; it unmounts on error.
            try { Directory.Delete(building, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
        return sw.Elapsed;
    }

    static bool IsComplete(string root) =>
        File.Exists(System.IO.Path.Combine(root, "lib/systemd/systemd")) && File.Exists(System.IO.Path.Combine(root, "usr/bin/dbus-daemon"));

    /// <summary>The host's own Debian mirror (deb822 sources first, then the one-line format), else deb.debian.org.</summary>
    public static string Mirror()
    {
        if (Environment.GetEnvironmentVariable("INFRA_DEBIAN_MIRROR") is { Length: > 0 } m) return m;
        const string deb822 = "/etc/apt/sources.list.d/debian.sources";
        if (File.Exists(deb822))
            foreach (var line in File.ReadLines(deb822))
                if (line.StartsWith("URIs:", StringComparison.Ordinal))
                    return line[5..].Trim().Split(' ')[0];
        if (File.Exists("/etc/apt/sources.list"))
            foreach (var line in File.ReadLines("/etc/apt/sources.list"))
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length >= 3 && parts[0] == "deb" && !parts[1].StartsWith('[') && !parts[1].Contains("security")) return parts[1];
            }
        return "http://deb.debian.org/debian";
    }

    static FileStream AcquireLock(string path, TimeSpan wait)
    {
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
            catch (IOException) when (DateTime.UtcNow < deadline) { Thread.Sleep(1000); }
        }
    }
}
