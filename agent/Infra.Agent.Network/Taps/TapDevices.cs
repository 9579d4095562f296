using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Text;

namespace Infra.Agent.Network.Taps;

/// <summary>A tap device as the kernel shows it.</summary>
/// <param name="Name">The interface name.</param>
/// <param name="Up">IFF_UP is set.</param>
/// <param name="Mtu">Its MTU.</param>
public sealed record ObservedTap(string Name, bool Up, int Mtu);

/// <summary>What the tap reconciler needs from the kernel; <see cref="TapDevices"/> is the real one.</summary>
public interface ITapDevices
{
    /// <summary>Tap devices whose name <paramref name="owned"/> accepts, in the calling thread's network namespace.</summary>
    IReadOnlyList<ObservedTap> List(Func<string, bool> owned);
    /// <summary>Creates a persistent tap (survives the fd that made it, so qemu opens an existing device).</summary>
    void Create(string name);
    /// <summary>Sets the MTU.</summary>
    void SetMtu(string name, int mtu);
    /// <summary>Sets IFF_UP.</summary>
    void SetUp(string name);
    /// <summary>Removes a persistent tap; fails with EBUSY while a qemu still has it open.</summary>
    void Remove(string name);
}

/// <summary>
/// Persistent taps through ioctls on /dev/net/tun (TUNSETIFF, TUNSETPERSIST) and an AF_INET socket
/// (SIOC[GS]IFFLAGS, SIOC[GS]IFMTU, SIOCETHTOOL). Everything acts in the calling thread's network
/// namespace, like `ip tuntap`; nothing reads /sys/class/net, whose view is the namespace sysfs was
/// mounted in (an agent started with `nsenter --net` would see the host's). Interfaces are listed from
/// /proc/thread-self/net/dev, which follows the caller's namespace.
///
/// Why persistent taps made by the agent rather than by qemu: a tap qemu creates exists only while
/// qemu runs and is DOWN (qemu's script=no brings nothing up), so OVS's port on it reports "Network is
/// down"; after a qemu restart OVS's userspace datapath keeps the old device's handle. A persistent tap
/// is made, sized and brought up once, put on br-int before qemu starts, and outlives qemu restarts.
/// </summary>
public sealed class TapDevices : ITapDevices
{
    const ulong TUNSETIFF = 0x400454ca, TUNSETPERSIST = 0x400454cb;
    const ulong SIOCGIFFLAGS = 0x8913, SIOCSIFFLAGS = 0x8914, SIOCGIFMTU = 0x8921, SIOCSIFMTU = 0x8922, SIOCETHTOOL = 0x8946;
    const short IFF_TAP = 0x0002, IFF_NO_PI = 0x1000, IFF_UP = 0x1;
    const int O_RDWR = 2, O_CLOEXEC = 0x80000, AF_INET = 2, SOCK_DGRAM = 2, IfReqSize = 40, IfNameSize = 16;
    const uint ETHTOOL_GDRVINFO = 3;
    const int ENODEV = 19, EOPNOTSUPP = 95;

    /// <inheritdoc/>
    public IReadOnlyList<ObservedTap> List(Func<string, bool> owned)
    {
        var result = new List<ObservedTap>();
        foreach (var name in InterfaceNames())
        {
            if (!owned(name)) continue;
            try
            {
                if (Driver(name) != "tun") continue;
                result.Add(new ObservedTap(name, (Flags(name) & IFF_UP) != 0, Mtu(name)));
            }
            // ENODEV: went away while listing; EOPNOTSUPP: no ethtool driver info (lo), so not a tap.
            catch (Win32Exception e) when (e.NativeErrorCode is ENODEV or EOPNOTSUPP) { }
        }
        return result;
    }

    /// <summary>Interface names in the caller's network namespace.</summary>
    public static IEnumerable<string> InterfaceNames() =>
        File.ReadAllLines("/proc/thread-self/net/dev").Skip(2).Select(l => l.Split(':', 2)[0].Trim()).Where(n => n.Length > 0).ToList();

    /// <inheritdoc/>
    public void Create(string name)
    {
        var fd = OpenTun(name);
        try { Check(ioctl(fd, TUNSETPERSIST, 1), $"TUNSETPERSIST {name}"); }
        finally { close(fd); }
    }

    /// <inheritdoc/>
    public void Remove(string name)
    {
        var fd = OpenTun(name);
        try { Check(ioctl(fd, TUNSETPERSIST, 0), $"TUNSETPERSIST off {name}"); }
        finally { close(fd); }
    }

    /// <inheritdoc/>
    public void SetMtu(string name, int mtu) => WithSocket(s =>
    {
        var ifr = IfReq(name);
        BitConverter.TryWriteBytes(ifr.AsSpan(IfNameSize), mtu);
        Check(ioctl(s, SIOCSIFMTU, ifr), $"SIOCSIFMTU {name} {mtu}");
    });

    /// <inheritdoc/>
    public void SetUp(string name) => WithSocket(s =>
    {
        var ifr = IfReq(name);
        Check(ioctl(s, SIOCGIFFLAGS, ifr), $"SIOCGIFFLAGS {name}");
        var flags = (short)(BitConverter.ToInt16(ifr, IfNameSize) | IFF_UP);
        BitConverter.TryWriteBytes(ifr.AsSpan(IfNameSize), flags);
        Check(ioctl(s, SIOCSIFFLAGS, ifr), $"SIOCSIFFLAGS {name} up");
    });

    /// <summary>The interface's flags (IFF_*).</summary>
    public static short Flags(string name)
    {
        short flags = 0;
        WithSocket(s =>
        {
            var ifr = IfReq(name);
            Check(ioctl(s, SIOCGIFFLAGS, ifr), $"SIOCGIFFLAGS {name}");
            flags = BitConverter.ToInt16(ifr, IfNameSize);
        });
        return flags;
    }

    /// <summary>The interface's MTU.</summary>
    public static int Mtu(string name)
    {
        var mtu = 0;
        WithSocket(s =>
        {
            var ifr = IfReq(name);
            Check(ioctl(s, SIOCGIFMTU, ifr), $"SIOCGIFMTU {name}");
            mtu = BitConverter.ToInt32(ifr, IfNameSize);
        });
        return mtu;
    }

    /// <summary>The kernel driver behind the interface ("tun" for taps), from ethtool's driver info.</summary>
    public static string Driver(string name)
    {
        var driver = "";
        WithSocket(s =>
        {
            // struct ethtool_drvinfo: u32 cmd, char driver[32], ... (196 bytes); ifr_data points at it.
            var info = Marshal.AllocHGlobal(196);
            try
            {
                Marshal.Copy(new byte[196], 0, info, 196);
                Marshal.WriteInt32(info, (int)ETHTOOL_GDRVINFO);
                var ifr = IfReq(name);
                BitConverter.TryWriteBytes(ifr.AsSpan(IfNameSize), info.ToInt64());
                Check(ioctl(s, SIOCETHTOOL, ifr), $"SIOCETHTOOL {name}");
                var bytes = new byte[32];
                Marshal.Copy(info + 4, bytes, 0, 32);
                driver = Encoding.ASCII.GetString(bytes).TrimEnd('\0');
            }
            finally { Marshal.FreeHGlobal(info); }
        });
        return driver;
    }

    static int OpenTun(string name)
    {
        var fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
        Check(fd, "open /dev/net/tun");
        var ifr = IfReq(name);
        // No IFF_VNET_HDR: qemu opens it with vnet_hdr=off, and the kernel takes the flags of the last TUNSETIFF anyway.
        BitConverter.TryWriteBytes(ifr.AsSpan(IfNameSize), (short)(IFF_TAP | IFF_NO_PI));
        if (ioctl(fd, TUNSETIFF, ifr) < 0)
        {
            var err = Marshal.GetLastPInvokeError();
            close(fd);
            throw new Win32Exception(err, $"TUNSETIFF {name}: {new Win32Exception(err).Message}");
        }
        return fd;
    }

    static byte[] IfReq(string name)
    {
        var bytes = Encoding.ASCII.GetBytes(name);
        if (bytes.Length is 0 or >= IfNameSize) throw new ArgumentException($"interface name '{name}' must be 1-15 characters", nameof(name));
        var ifr = new byte[IfReqSize];
        bytes.CopyTo(ifr, 0);
        return ifr;
    }

    static void WithSocket(Action<int> body)
    {
        var s = socket(AF_INET, SOCK_DGRAM, 0);
        Check(s, "socket(AF_INET, SOCK_DGRAM)");
        try { body(s); } finally { close(s); }
    }

    static void Check(int rc, string what)
    {
        if (rc >= 0) return;
        var err = Marshal.GetLastPInvokeError();
        throw new Win32Exception(err, $"{what}: {new Win32Exception(err).Message}");
    }

    [DllImport("libc", SetLastError = true)] static extern int open(string path, int flags);
    [DllImport("libc", SetLastError = true)] static extern int close(int fd);
    [DllImport("libc", SetLastError = true)] static extern int socket(int domain, int type, int protocol);
    [DllImport("libc", SetLastError = true)] static extern int ioctl(int fd, ulong request, byte[] arg);
    [DllImport("libc", SetLastError = true)] static extern int ioctl(int fd, ulong request, nint arg);
}
