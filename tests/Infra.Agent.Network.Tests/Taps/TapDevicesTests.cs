using System.Runtime.InteropServices;
using Infra.Agent.Network.Taps;

namespace Infra.Agent.Network.Tests.Taps;

/// <summary>
/// The real ioctls, in a network namespace private to one thread (unshare(CLONE_NEWNET) moves only the
/// calling thread): whatever the test makes vanishes with the namespace when the thread ends.
/// </summary>
public sealed class TapDevicesTests
{
    const string Tap = "tap0000000000aa";

    [DllImport("libc", SetLastError = true)] static extern int unshare(int flags);
    const int CLONE_NEWNET = 0x40000000;

    static void InPrivateNetns(Action body)
    {
        Exception? failure = null;
        var t = new Thread(() =>
        {
            try
            {
                if (unshare(CLONE_NEWNET) != 0) throw new InvalidOperationException($"unshare(CLONE_NEWNET) failed: errno {Marshal.GetLastPInvokeError()} (needs root)");
                body();
            }
            catch (Exception e) { failure = e; }
        });
        t.Start();
        Assert.True(t.Join(TimeSpan.FromSeconds(30)), "the namespace thread did not finish in 30 s");
        if (failure is not null) throw new Xunit.Sdk.XunitException(failure.ToString());
    }

    [Fact]
    public void Reconcile_CreatesAPersistentTapThatIsUpWithItsMtu_AdoptsIt_ThenRemovesIt()
    {
        InPrivateNetns(() =>
        {
            var devices = new TapDevices();
            var taps = new TapReconciler(devices, 1400);
            var first = taps.Reconcile([new DesiredTap(Tap, "p1", "vm1")], new HashSet<string>());
            Assert.Empty(first.Failed);
            var seen = Assert.Single(devices.List(TapPlanner.IsOurs));
            Assert.Equal(new ObservedTap(Tap, Up: true, Mtu: 1400), seen);
            Assert.Equal("tun", TapDevices.Driver(Tap));

            // Nothing holds it, yet it stays (persistent), and a second pass changes nothing.
            Assert.Empty(taps.Reconcile([new DesiredTap(Tap, "p1", "vm1")], new HashSet<string>()).Actions);

            // A qemu holding it: removal fails with EBUSY and is reported, not thrown.
            var fd = OpenLikeQemu(Tap);
            try
            {
                var busy = taps.Reconcile([], new HashSet<string>());
                Assert.Contains("busy", busy.Failed[Tap], StringComparison.OrdinalIgnoreCase);
            }
            finally { close(fd); }

            // The kernel lets go of a closed tun fd a moment later (seen in CI: still EBUSY on the very next
            // pass); the reconciler retries each pass, so the test does too, bounded.
            var after = taps.Reconcile([], new HashSet<string>());
            for (var i = 0; i < 50 && after.Failed.Count > 0; i++)
            {
                Thread.Sleep(100);
                after = taps.Reconcile([], new HashSet<string>());
            }
            Assert.Empty(after.Failed);
            Assert.DoesNotContain(Tap, TapDevices.InterfaceNames());
        });
    }

    [Fact]
    public void List_IgnoresInterfacesThatAreNotTaps()
    {
        InPrivateNetns(() => Assert.Empty(new TapDevices().List(_ => true)));   // only "lo" exists here
    }

    // qemu's tap_open: TUNSETIFF with IFF_TAP|IFF_NO_PI on the existing name.
    static int OpenLikeQemu(string name)
    {
        var fd = open("/dev/net/tun", 2);
        Assert.True(fd >= 0);
        var ifr = new byte[40];
        System.Text.Encoding.ASCII.GetBytes(name).CopyTo(ifr, 0);
        BitConverter.TryWriteBytes(ifr.AsSpan(16), (short)0x1002);
        Assert.True(ioctl(fd, 0x400454ca, ifr) == 0, $"TUNSETIFF: errno {Marshal.GetLastPInvokeError()}");
        return fd;
    }

    [DllImport("libc", SetLastError = true)] static extern int open(string path, int flags);
    [DllImport("libc", SetLastError = true)] static extern int close(int fd);
    [DllImport("libc", SetLastError = true)] static extern int ioctl(int fd, ulong request, byte[] arg);
}
