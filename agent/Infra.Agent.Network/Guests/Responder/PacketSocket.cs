using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Infra.Agent.Network.Guests.Responder;

/// <summary>
/// A Linux AF_PACKET socket bound to one interface: whole Ethernet frames in and out, nothing of
/// the kernel's IP stack in between (the responder port has no address). Frames the socket itself
/// sent come back as PACKET_OUTGOING and are skipped. Receive polls with a timeout so a read loop
/// notices cancellation.
/// </summary>
public sealed partial class PacketSocket : IDisposable
{
    const int AfPacket = 17, SockRaw = 3, EthPAll = 0x0003, PacketOutgoing = 4, PollIn = 1, EIntr = 4;
    readonly int _fd;
    public string InterfaceName { get; }

    PacketSocket(int fd, string name) { _fd = fd; InterfaceName = name; }

    /// <summary>True when the interface exists in this network namespace.</summary>
    public static bool Exists(string interfaceName) => if_nametoindex(interfaceName) != 0;

    /// <summary>Opens and binds; throws with the errno text when the interface is missing or we lack CAP_NET_RAW.</summary>
    public static PacketSocket Open(string interfaceName)
    {
        var index = if_nametoindex(interfaceName);
        if (index == 0) throw new IOException($"interface {interfaceName} does not exist (yet)");
        var fd = socket(AfPacket, SockRaw, Htons(EthPAll));
        if (fd < 0) throw Error($"socket(AF_PACKET) for {interfaceName}");
        var addr = new SockaddrLl { Family = AfPacket, Protocol = Htons(EthPAll), IfIndex = (int)index };
        if (bind(fd, ref addr, Marshal.SizeOf<SockaddrLl>()) != 0)
        {
            var e = Error($"bind to {interfaceName}");
            close(fd);
            throw e;
        }
        return new PacketSocket(fd, interfaceName);
    }

    /// <summary>The next frame received on the interface (not one we sent), or 0 after the timeout.</summary>
    public int Receive(Span<byte> buffer, TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            var left = (int)Math.Max(0, deadline - Environment.TickCount64);
            var p = new PollFd { Fd = _fd, Events = PollIn };
            var r = poll(ref p, 1, left);
            if (r < 0 && Marshal.GetLastPInvokeError() == EIntr) continue;
            if (r < 0) throw Error("poll");
            if (r == 0) return 0;
            var from = new SockaddrLl();
            var len = Marshal.SizeOf<SockaddrLl>();
            int n;
            unsafe
            {
                fixed (byte* b = buffer) n = (int)recvfrom(_fd, b, (nint)buffer.Length, 0, ref from, ref len);
            }
            if (n < 0 && Marshal.GetLastPInvokeError() == EIntr) continue;
            if (n < 0) throw Error("recvfrom");
            if (from.PacketType == PacketOutgoing) continue;
            return n;
        }
    }

    public void Send(ReadOnlySpan<byte> frame)
    {
        nint n;
        unsafe
        {
            fixed (byte* b = frame) n = send(_fd, b, (nint)frame.Length, 0);
        }
        if (n < 0) throw Error($"send on {InterfaceName}");
    }

    public void Dispose() => close(_fd);

    static IOException Error(string what)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new IOException($"{what} failed: {new Win32Exception(errno).Message} (errno {errno})");
    }

    static ushort Htons(int v) => (ushort)(((v & 0xff) << 8) | ((v >> 8) & 0xff));

    [StructLayout(LayoutKind.Sequential)]
    struct SockaddrLl
    {
        public ushort Family;
        public ushort Protocol;
        public int IfIndex;
        public ushort HaType;
        public byte PacketType;
        public byte HaLen;
        public ulong Addr;
    }

    [StructLayout(LayoutKind.Sequential)]
    struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", SetLastError = true)] private static partial int socket(int domain, int type, int protocol);
    [LibraryImport("libc", SetLastError = true)] private static partial int bind(int fd, ref SockaddrLl addr, int len);
    [LibraryImport("libc", SetLastError = true)] private static partial int poll(ref PollFd fds, int n, int timeout);
    [LibraryImport("libc", SetLastError = true)] private static unsafe partial nint recvfrom(int fd, byte* buf, nint len, int flags, ref SockaddrLl from, ref int fromLen);
    [LibraryImport("libc", SetLastError = true)] private static unsafe partial nint send(int fd, byte* buf, nint len, int flags);
    [LibraryImport("libc", SetLastError = true)] private static partial int close(int fd);
    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] private static partial uint if_nametoindex(string name);
}
