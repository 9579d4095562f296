using System.Diagnostics;

namespace Infra.TestGuest;

/// <summary>
/// One qemu-system-x86_64 process under TCG with the test guest: a serial log file, a QMP socket,
/// optional vhost-user-blk disks and an optional guest-agent channel, all in a private temp dir.
/// Dispose kills qemu by PID and removes the dir.
/// </summary>
public sealed class TestGuest : IAsyncDisposable
{
    private readonly Process _process;

    private TestGuest(Process process, string dir, TestGuestOptions options)
    {
        _process = process; Dir = dir; Options = options;
    }

    public string Dir { get; }
    public TestGuestOptions Options { get; }
    public int Pid => _process.Id;
    public string QmpSocket => Path.Combine(Dir, "qmp.sock");
    public string GuestAgentSocket => Path.Combine(Dir, "qga.sock");
    public string SilentChannelSocket => Path.Combine(Dir, "silent.sock");
    public string SerialLog => Path.Combine(Dir, "serial.log");
    public bool HasExited => _process.HasExited;
    /// <summary>Time from process start until the guest printed GUEST-BOOTED (set by WaitForBootAsync).</summary>
    public TimeSpan? BootTime { get; private set; }
    private readonly Stopwatch _sinceStart = Stopwatch.StartNew();

    public static async Task<TestGuest> StartAsync(TestGuestOptions options, CancellationToken ct = default)
    {
        var image = await TestGuestImage.EnsureBuiltAsync(ct);
        var dir = Directory.CreateTempSubdirectory("infra-guest-").FullName;
        var psi = new ProcessStartInfo("qemu-system-x86_64") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in Arguments(options, image, dir)) psi.ArgumentList.Add(a);
        var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start qemu-system-x86_64");
        var guest = new TestGuest(p, dir, options);
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (guest._stderr) guest._stderr.AppendLine(e.Data); };
        p.BeginErrorReadLine();
        p.BeginOutputReadLine();
        // qemu binds the QMP socket before the guest runs but listens a moment later: wait until a
        // connection is accepted, so callers can connect at once.
        for (var i = 0; ; i++)
        {
            if (p.HasExited) { var err = guest.Stderr; await guest.DisposeAsync(); throw new InvalidOperationException($"qemu exited at start: {err}"); }
            if (i > 400) { await guest.DisposeAsync(); throw new TimeoutException("qemu did not open its QMP socket within 10 s"); }
            if (File.Exists(guest.QmpSocket))
            {
                using var probe = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, 0);
                try { await probe.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(guest.QmpSocket), ct); break; }
                catch (System.Net.Sockets.SocketException) { }
            }
            await Task.Delay(25, ct);
        }
        return guest;
    }

    private readonly System.Text.StringBuilder _stderr = new();
    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    internal static List<string> Arguments(TestGuestOptions o, TestGuestImage image, string dir)
    {
        // no_timer_check: under TCG on a loaded host the kernel's IO-APIC timer probe can miss its
        // window and panic ("IO-APIC + timer doesn't work"); VMs routinely skip that probe.
        var append = string.Join(' ', new[] { "console=ttyS0", "panic=-1", "quiet", "no_timer_check" }.Concat(o.KernelArgs));
        var args = new List<string>
        {
            "-machine", "q35,accel=tcg", "-m", $"{o.MemoryMiB}", "-nodefaults", "-no-user-config", "-display", "none",
            "-no-reboot", "-kernel", image.Kernel, "-initrd", image.Initrd, "-append", append,
            "-serial", $"file:{Path.Combine(dir, "serial.log")}",
            "-qmp", $"unix:{Path.Combine(dir, "qmp.sock")},server=on,wait=off",
            // Shared memory: vhost-user back ends map guest RAM; harmless without them.
            "-object", $"memory-backend-memfd,id=mem,size={o.MemoryMiB}M,share=on", "-numa", "node,memdev=mem",
        };
        if (o.StartPaused) args.Add("-S");
        for (var i = 0; i < o.VhostUserBlkSockets.Count; i++)
        {
            args.AddRange(["-chardev", $"socket,id=vub{i},path={o.VhostUserBlkSockets[i]}"]);
            args.AddRange(["-device", $"vhost-user-blk-pci,chardev=vub{i}"]);
        }
        if (o.GuestAgentChannel || o.SilentChannel) args.AddRange(["-device", "virtio-serial-pci"]);
        if (o.GuestAgentChannel)
        {
            args.AddRange(["-chardev", $"socket,id=qga0,path={Path.Combine(dir, "qga.sock")},server=on,wait=off"]);
            args.AddRange(["-device", "virtserialport,chardev=qga0,name=org.qemu.guest_agent.0"]);
        }
        if (o.SilentChannel)
        {
            args.AddRange(["-chardev", $"socket,id=silent0,path={Path.Combine(dir, "silent.sock")},server=on,wait=off"]);
            args.AddRange(["-device", "virtserialport,chardev=silent0,name=org.infra.silent.0"]);
        }
        return args;
    }

    /// <summary>Waits until the serial log contains the marker; fails early if qemu exits first.</summary>
    public async Task<string> WaitForSerialAsync(string marker, TimeSpan timeout, CancellationToken ct = default)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            var log = ReadSerial();
            var at = log.IndexOf(marker, StringComparison.Ordinal);
            if (at >= 0)
            {
                var end = log.IndexOf('\n', at);
                return end < 0 ? log[at..] : log[at..end].TrimEnd('\r');
            }
            if (_process.HasExited && ReadSerial().IndexOf(marker, StringComparison.Ordinal) < 0)
                throw new InvalidOperationException($"qemu exited (code {_process.ExitCode}) before '{marker}'. serial: {Tail(log)} stderr: {Stderr}");
            await Task.Delay(50, ct);
        }
        throw new TimeoutException($"guest did not print '{marker}' within {timeout}. serial: {Tail(ReadSerial())} stderr: {Stderr}");
    }

    public async Task WaitForBootAsync(TimeSpan? timeout = null, CancellationToken ct = default)
    {
        await WaitForSerialAsync("GUEST-BOOTED", timeout ?? TimeSpan.FromSeconds(90), ct);
        BootTime ??= _sinceStart.Elapsed;
    }

    /// <summary>Waits for qemu to exit (the guest powered off) and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try { await _process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        { throw new TimeoutException($"qemu did not exit within {timeout}. serial: {Tail(ReadSerial())}"); }
        return _process.ExitCode;
    }

    public string ReadSerial()
    {
        try
        {
            using var fs = new FileStream(SerialLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return new StreamReader(fs).ReadToEnd();
        }
        catch (FileNotFoundException) { return ""; }
    }

    private static string Tail(string s) => s.Length <= 1500 ? s : s[^1500..];

    public async ValueTask DisposeAsync()
    {
        try { if (!_process.HasExited) { _process.Kill(entireProcessTree: true); await _process.WaitForExitAsync(); } }
        catch (InvalidOperationException) { }
        _process.Dispose();
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}
