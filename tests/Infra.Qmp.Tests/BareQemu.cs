using System.Diagnostics;

namespace Infra.Qmp.Tests;

/// <summary>qemu-system-x86_64 with no machine at all: a real QMP server that starts in milliseconds.</summary>
internal sealed class BareQemu : IAsyncDisposable
{
    private readonly Process _p;
    public string Dir { get; } = Directory.CreateTempSubdirectory("infra-qmp-").FullName;
    public string QmpSocket => Path.Combine(Dir, "qmp.sock");
    public int Pid => _p.Id;

    private BareQemu()
    {
        var psi = new ProcessStartInfo("qemu-system-x86_64") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "-machine", "none", "-nodefaults", "-no-user-config", "-display", "none",
                     "-qmp", $"unix:{QmpSocket},server=on,wait=off" })
            psi.ArgumentList.Add(a);
        _p = Process.Start(psi)!;
        _p.BeginErrorReadLine(); _p.BeginOutputReadLine();
    }

    public static async Task<BareQemu> StartAsync()
    {
        var q = new BareQemu();
        return q;
    }

    public void Signal(int signal) => Assert.Equal(0, Kill(Pid, signal));

    public Task WaitForExitAsync() => _p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int sig);

    public const int SIGKILL = 9, SIGCONT = 18, SIGSTOP = 19;

    public async ValueTask DisposeAsync()
    {
        try { if (!_p.HasExited) { Kill(Pid, SIGCONT); _p.Kill(); await _p.WaitForExitAsync(); } } catch (InvalidOperationException) { }
        _p.Dispose();
        try { Directory.Delete(Dir, true); } catch (IOException) { }
    }
}
