using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Infra.Ctl.Cli;

/// <summary>What "instance console" needs of the process's terminal: raw bytes in and out, and raw mode.</summary>
public interface ICtlTerminal
{
    /// <summary>Whether stdin is a terminal (interactive: raw mode, the detach key) rather than a pipe or a file.</summary>
    bool IsInteractive { get; }
    /// <summary>stdin as bytes.</summary>
    Stream OpenInput();
    /// <summary>stdout as bytes.</summary>
    Stream OpenOutput();
    /// <summary>Puts the terminal in raw mode (every key is a byte, no echo, no signals) until disposed.</summary>
    IDisposable EnterRawMode();
}

/// <summary>
/// The process's own terminal. stdin and stdout are read and written as file descriptors 0 and 1,
/// not through System.Console, whose stdin stream does line editing when it is a terminal. Raw mode is
/// termios' cfmakeraw on fd 0, restored on dispose (and by the runtime at exit, which restores the
/// settings it found).
/// </summary>
public sealed class ProcessTerminal : ICtlTerminal
{
    public bool IsInteractive => isatty(0) == 1 && !Console.IsInputRedirected;

    public Stream OpenInput() => new FileStream(new SafeFileHandle(0, ownsHandle: false), FileAccess.Read, bufferSize: 0);

    public Stream OpenOutput() => new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);

    public IDisposable EnterRawMode()
    {
        // struct termios is 60 bytes on Linux; a larger buffer leaves room on other ABIs.
        var saved = new byte[256];
        if (tcgetattr(0, saved) != 0) throw new IOException($"cannot read the terminal's settings (errno {Marshal.GetLastPInvokeError()})");
        var raw = (byte[])saved.Clone();
        cfmakeraw(raw);
        if (tcsetattr(0, TcsaNow, raw) != 0) throw new IOException($"cannot put the terminal in raw mode (errno {Marshal.GetLastPInvokeError()})");
        return new Restore(saved);
    }

    private const int TcsaNow = 0;

    private sealed class Restore(byte[] saved) : IDisposable
    {
        public void Dispose() => tcsetattr(0, TcsaNow, saved);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int isatty(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int tcgetattr(int fd, byte[] termios);

    [DllImport("libc", SetLastError = true)]
    private static extern int tcsetattr(int fd, int optionalActions, byte[] termios);

    [DllImport("libc")]
    private static extern void cfmakeraw(byte[] termios);
}
