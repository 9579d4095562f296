using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Infra.TestHosts;

namespace Infra.Images.Tests.Fixtures;

/// <summary>How a config drive is attached: a CD on virtio-scsi (as cloud images expect) or a read-only virtio-blk disk.</summary>
public enum DriveBus { ScsiCd, VirtioBlk }

/// <summary>How to boot one image.</summary>
public sealed record DiskVmOptions(string Image, string Mac)
{
    public string? ConfigDrive { get; init; }
    public DriveBus ConfigDriveBus { get; init; } = DriveBus.ScsiCd;
    public int MemoryMiB { get; init; } = 256;
}

/// <summary>
/// A VM booted from a disk image the way the agent boots one: qemu-storage-daemon serves a qcow2
/// overlay of the image over vhost-user-blk (bootindex 0), qemu runs under TCG on q35 with shared
/// memfd RAM, a virtio-net NIC on the network's tap, and the guest agent's virtio-serial port. The
/// serial console is a socket (so a test can type into the guest's shell) with a log file.
/// qemu runs inside the network's namespace; both processes are killed by PID on dispose.
/// </summary>
public sealed class DiskVm : IAsyncDisposable
{
    private readonly Process _storage;
    private readonly Process _qemu;
    private readonly Stopwatch _since = Stopwatch.StartNew();
    private Socket? _console;

    private DiskVm(string dir, Process storage, Process qemu) { Dir = dir; _storage = storage; _qemu = qemu; }

    public string Dir { get; }
    public string SerialLog => Path.Combine(Dir, "serial.log");
    public string QmpSocket => Path.Combine(Dir, "qmp.sock");
    public string GuestAgentSocket => Path.Combine(Dir, "qga.sock");
    public string ConsoleSocket => Path.Combine(Dir, "console.sock");
    public bool HasExited => _qemu.HasExited;
    /// <summary>Time since qemu was started.</summary>
    public TimeSpan Elapsed => _since.Elapsed;

    public static async Task<DiskVm> StartAsync(GuestNetwork net, DiskVmOptions o)
    {
        var dir = Directory.CreateTempSubdirectory("infra-image-vm-").FullName;
        var overlay = Path.Combine(dir, "disk.qcow2");
        Cmd.Run("qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", o.Image, overlay);
        var vub = Path.Combine(dir, "vub.sock");
        var storage = Start("qemu-storage-daemon",
            "--blockdev", $"driver=file,node-name=file0,filename={overlay}",
            "--blockdev", "driver=qcow2,node-name=disk0,file=file0",
            "--export", $"type=vhost-user-blk,id=exp0,node-name=disk0,addr.type=unix,addr.path={vub},writable=on");
        try { Cmd.WaitUntil(() => File.Exists(vub) || storage.HasExited, "qemu-storage-daemon's socket", 20000); }
        catch { storage.Kill(); throw; }
        if (storage.HasExited) throw new InvalidOperationException($"qemu-storage-daemon exited: {OutputOf(storage)}");

        var mem = $"{o.MemoryMiB}M";
        var args = new List<string>
        {
            "netns", "exec", net.Namespace, "qemu-system-x86_64",
            "-machine", "q35,accel=tcg,memory-backend=mem0", "-m", mem, "-nodefaults", "-no-user-config", "-display", "none",
            "-object", $"memory-backend-memfd,id=mem0,size={mem},share=on",
            "-chardev", $"socket,id=qmp,path={Path.Combine(dir, "qmp.sock")},server=on,wait=off", "-mon", "chardev=qmp,mode=control",
            "-chardev", $"socket,id=con0,path={Path.Combine(dir, "console.sock")},server=on,wait=off,logfile={Path.Combine(dir, "serial.log")}",
            "-serial", "chardev:con0",
            "-device", "virtio-serial-pci,id=vser0",
            "-chardev", $"socket,id=qga0,path={Path.Combine(dir, "qga.sock")},server=on,wait=off",
            "-device", "virtserialport,bus=vser0.0,chardev=qga0,name=org.qemu.guest_agent.0",
            "-chardev", $"socket,id=vub0,path={vub}", "-device", "vhost-user-blk-pci,id=disk0,chardev=vub0,bootindex=0",
            "-netdev", $"tap,id=net0,ifname={net.Tap},script=no,downscript=no",
            "-device", $"virtio-net-pci,id=nic0,netdev=net0,mac={o.Mac}",
        };
        if (o.ConfigDrive is { } iso)
        {
            args.AddRange(["-drive", $"file={iso},if=none,id=cidata,format=raw,readonly=on"]);
            if (o.ConfigDriveBus == DriveBus.ScsiCd)
                args.AddRange(["-device", "virtio-scsi-pci,id=scsi0", "-device", "scsi-cd,bus=scsi0.0,drive=cidata"]);
            else args.AddRange(["-device", "virtio-blk-pci,drive=cidata"]);
        }
        var qemu = Start("ip", [.. args]);
        var vm = new DiskVm(dir, storage, qemu);
        try { Cmd.WaitUntil(() => File.Exists(vm.QmpSocket) || qemu.HasExited, "qemu's QMP socket", 20000); }
        catch { await vm.DisposeAsync(); throw; }
        if (qemu.HasExited)
        {
            qemu.WaitForExit(); var err = OutputOf(qemu);
            await vm.DisposeAsync();
            throw new InvalidOperationException($"qemu exited at start: {err}");
        }
        return vm;
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Process, StringBuilder> Output = new();

    /// <summary>Starts a process whose stdout and stderr are drained into a buffer (see <see cref="OutputOf"/>).</summary>
    private static Process Start(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        var sb = Output.GetValue(p, _ => new StringBuilder());
        DataReceivedEventHandler add = (_, e) => { if (e.Data is not null) lock (sb) sb.AppendLine(e.Data); };
        p.OutputDataReceived += add; p.ErrorDataReceived += add;
        p.BeginOutputReadLine(); p.BeginErrorReadLine();
        return p;
    }

    private static string OutputOf(Process p) { var sb = Output.GetValue(p, _ => new StringBuilder()); lock (sb) return sb.ToString(); }

    /// <summary>The console output so far, without carriage returns.</summary>
    public string ConsoleText()
    {
        try
        {
            using var fs = new FileStream(SerialLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return new StreamReader(fs, Encoding.Latin1).ReadToEnd().Replace("\r", "");
        }
        catch (FileNotFoundException) { return ""; }
    }

    /// <summary>Waits for a console line matching <paramref name="pattern"/> (a regex) and returns the match.</summary>
    public async Task<Match> WaitForConsoleAsync(string pattern, TimeSpan timeout)
    {
        var re = new Regex(pattern, RegexOptions.Multiline);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var m = re.Match(ConsoleText());
            if (m.Success) return m;
            if (_qemu.HasExited) throw new InvalidOperationException($"qemu exited before /{pattern}/ appeared. console:\n{Tail()}");
            if (deadline.Elapsed > timeout) throw new TimeoutException($"no /{pattern}/ on the console within {timeout}. console:\n{Tail()}");
            await Task.Delay(100);
        }
    }

    /// <summary>Types <paramref name="text"/> into the serial console, as an operator would.</summary>
    public async Task TypeAsync(string text)
    {
        if (_console is null)
        {
            _console = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await _console.ConnectAsync(new UnixDomainSocketEndPoint(ConsoleSocket));
        }
        await _console.SendAsync(Encoding.ASCII.GetBytes(text));
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try { await _qemu.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { throw new TimeoutException($"qemu did not exit within {timeout}. console:\n{Tail()}"); }
        return _qemu.ExitCode;
    }

    public string Tail(int chars = 3000) { var c = ConsoleText(); return c.Length <= chars ? c : c[^chars..]; }

    public async ValueTask DisposeAsync()
    {
        _console?.Dispose();
        foreach (var p in new[] { _qemu, _storage })
        {
            try { if (!p.HasExited) { p.Kill(); await p.WaitForExitAsync(); } } catch (InvalidOperationException) { }
            p.Dispose();
        }
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}
