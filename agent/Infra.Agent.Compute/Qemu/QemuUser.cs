using System.Runtime.InteropServices;

namespace Infra.Agent.Compute.Qemu;

/// <summary>
/// The unprivileged account qemu drops to (<c>-runas</c>) once it has opened what it needs as root:
/// the taps, /dev/kvm, the cold-plugged disk sockets, its own monitor and console sockets. A guest
/// escape then lands in an account that owns nothing on the host.
/// What qemu opens after the drop must be reachable by that account; today that is only a disk
/// socket hot-plugged into a running VM (chardev-add connects then), which the agent hands over with
/// <see cref="GiveSocket"/>. The config drive medium swap reads a world-readable file.
/// </summary>
public sealed record QemuUser(string Name, uint Uid, uint Gid)
{
    /// <summary>The account the packages create (sysusers.d) and tests/setup-host.sh creates for tests.</summary>
    public const string DefaultName = "infra-qemu";

    /// <summary>The account named <paramref name="name"/>, or an error saying how to create it.</summary>
    public static QemuUser Resolve(string name)
    {
        var pw = getpwnam(name);
        if (pw == IntPtr.Zero)
            throw new InvalidOperationException(
                $"compute.qemu_user '{name}' is not an account on this host; create it (`useradd --system --no-create-home --shell /usr/sbin/nologin {name}`, as the infra-agent package does) or name another unprivileged account");
        // struct passwd on glibc (x86-64 and arm64): char* pw_name, char* pw_passwd, uid_t pw_uid, gid_t pw_gid, ...
        var uid = (uint)Marshal.ReadInt32(pw, 2 * IntPtr.Size);
        var gid = (uint)Marshal.ReadInt32(pw, 2 * IntPtr.Size + 4);
        if (uid == 0) throw new InvalidOperationException($"compute.qemu_user '{name}' is root (uid 0); qemu must drop to an unprivileged account");
        return new QemuUser(name, uid, gid);
    }

    /// <summary>
    /// Lets this account connect to the unix socket at <paramref name="path"/> (connect needs write
    /// permission on the socket file): the socket's group becomes the account's and gains rw.
    /// The owner (root, the storage daemon) keeps it; nobody else gains anything.
    /// </summary>
    public void GiveSocket(string path)
    {
        if (lchown(path, uint.MaxValue, Gid) != 0)
            throw new IOException($"cannot hand socket {path} to group {Gid} of {Name}: errno {Marshal.GetLastWin32Error()}");
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("unix sockets' modes exist only on Linux");
        var mode = File.GetUnixFileMode(path);
        File.SetUnixFileMode(path, mode | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
    }

    [DllImport("libc")] static extern IntPtr getpwnam(string name);
    // (uid_t)-1 leaves the owner as it is.
    [DllImport("libc", SetLastError = true)] static extern int lchown(string path, uint owner, uint group);
}
