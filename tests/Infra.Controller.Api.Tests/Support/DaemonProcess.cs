using System.Diagnostics;

namespace Infra.Controller.Api.Tests.Support;

/// <summary>The real infra-controller (built next to the tests) as a child process, killed by PID on dispose.</summary>
public sealed class DaemonProcess : IDisposable
{
    public Process Process { get; }
    public string Url { get; private set; } = "";
    readonly System.Text.StringBuilder _output = new();
    public string Output { get { lock (_output) return _output.ToString(); } }

    DaemonProcess(Process p) => Process = p;

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "infra-controller.dll");

    public static DaemonProcess Start(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove("NOTIFY_SOCKET");
        var d = new DaemonProcess(Process.Start(psi)!);
        d.Process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (d._output) d._output.AppendLine(e.Data); };
        d.Process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (d._output) d._output.AppendLine(e.Data); };
        d.Process.BeginOutputReadLine();
        d.Process.BeginErrorReadLine();
        return d;
    }

    /// <summary>Waits (bounded) for the ready file the daemon writes once the store is open and the listener bound.</summary>
    public async Task<string> WaitReadyAsync(string readyFile)
    {
        for (var i = 0; i < 300; i++)
        {
            if (File.Exists(readyFile) && (await File.ReadAllTextAsync(readyFile)).Trim() is { Length: > 0 } url) return Url = url;
            if (Process.HasExited) throw new InvalidOperationException($"infra-controller exited with {Process.ExitCode}: {Output}");
            await Task.Delay(100);
        }
        throw new TimeoutException($"infra-controller did not become ready in 30 s: {Output}");
    }

    public void Dispose()
    {
        try { if (!Process.HasExited) { Process.Kill(); Process.WaitForExit(10_000); } }
        catch (InvalidOperationException) { }
        Process.Dispose();
    }
}
