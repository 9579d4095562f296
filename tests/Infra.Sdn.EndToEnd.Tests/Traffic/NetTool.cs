using System.Diagnostics;
using Infra.TestHosts;

namespace Infra.Sdn.EndToEnd.Tests.Traffic;

/// <summary>Runs Tools/nettool.py inside a namespace: one-shot commands, or background ones followed line by line.</summary>
public static class NetTool
{
    public static readonly string Script = Path.Combine(AppContext.BaseDirectory, "Tools", "nettool.py");

    /// <summary>A one-shot command; returns its stdout (trimmed). Bounded by <paramref name="timeoutMs"/>.</summary>
    public static string Run(string ns, int timeoutMs, params string[] args) =>
        Cmd.RunWithExit("ip", ["netns", "exec", ns, "/usr/bin/python3", Script, .. args], check: true, timeoutMs).Output.Trim();

    /// <summary>
    /// TCP connect with a greeting and an echo: "ok:&lt;server name&gt;", "refused", "timeout" or "error:...".
    /// The default leaves room for SYN retransmits on a loaded machine; tests expecting a drop pass a shorter wait.
    /// </summary>
    public static string TcpConnect(string ns, string host, int port, double timeoutSeconds = 5) =>
        Run(ns, 20000, "tcp-connect", host, port.ToString(), timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static BackgroundTool Start(string ns, params string[] args) => new(ns, args);
}

/// <summary>
/// A nettool command running in the background. Its stdout lines are collected; closing its stdin
/// asks it to finish (every long-running command stops on EOF). Dispose kills it by PID if it did not.
/// </summary>
public sealed class BackgroundTool : IDisposable
{
    private readonly Process _p;
    private readonly List<string> _lines = [];
    private bool _disposed;
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public BackgroundTool(string ns, string[] args)
    {
        var psi = new ProcessStartInfo("ip") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["netns", "exec", ns, "/usr/bin/python3", NetTool.Script, .. args]) psi.ArgumentList.Add(a);
        _p = new Process { StartInfo = psi, EnableRaisingEvents = true };
        _p.OutputDataReceived += (_, e) => { if (e.Data is { } l) lock (_lines) _lines.Add(l); };
        _p.ErrorDataReceived += (_, e) => { if (e.Data is { } l) lock (_lines) _lines.Add("stderr: " + l); };
        _p.Exited += (_, _) => _exited.TrySetResult();
        _p.Start();
        _p.BeginOutputReadLine();
        _p.BeginErrorReadLine();
    }

    public int Pid => _p.Id;

    public IReadOnlyList<string> Lines { get { lock (_lines) return _lines.ToArray(); } }

    /// <summary>Waits (bounded) for a line matching <paramref name="match"/>; fails with everything seen so far.</summary>
    public string WaitFor(Func<string, bool> match, string what, int timeoutMs = 10000)
    {
        var sw = Stopwatch.StartNew();
        while (sw.ElapsedMilliseconds < timeoutMs)
        {
            var hit = Lines.FirstOrDefault(match);
            if (hit is not null) return hit;
            if (_p.HasExited && Lines.FirstOrDefault(match) is null) break;
            Thread.Sleep(20);
        }
        throw new TimeoutException($"no line for {what} within {timeoutMs} ms; output so far:\n{string.Join("\n", Lines.TakeLast(30))}");
    }

    public BackgroundTool Ready() { WaitFor(l => l == "ready" || l == "connected", "ready"); return this; }

    /// <summary>Closes stdin and waits (bounded) for exit; returns all lines and the exit code.</summary>
    public (int Exit, IReadOnlyList<string> Lines) Stop(int timeoutMs = 10000)
    {
        try { _p.StandardInput.Close(); } catch (IOException) { }
        if (!_exited.Task.Wait(timeoutMs)) Kill();
        _p.WaitForExit(); // drains the async readers
        return (_p.HasExited ? _p.ExitCode : -1, Lines);
    }

    private void Kill()
    {
        try
        {
            if (!_p.HasExited) _p.Kill(entireProcessTree: true);
            _p.WaitForExit(5000);
        }
        catch (InvalidOperationException) { } // already gone (or disposed)
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Kill();
        _p.Dispose();
    }
}
