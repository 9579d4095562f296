using System.Diagnostics;

namespace Infra.Cloud.EndToEnd.Tests.Support;

/// <summary>
/// An infractl that keeps running (a console session): stdin is a pipe the test writes to, stdout and
/// stderr are collected as they come. Disposing kills it if it still runs.
/// </summary>
public sealed class RunningCtl : IDisposable
{
    readonly Process _p;
    readonly System.Text.StringBuilder _out = new(), _err = new();
    readonly Task _readOut, _readErr;

    RunningCtl(Process p)
    {
        _p = p;
        _readOut = Pump(p.StandardOutput, _out);
        _readErr = Pump(p.StandardError, _err);
    }

    static Task Pump(StreamReader r, System.Text.StringBuilder into) => Task.Run(async () =>
    {
        var buffer = new char[4096];
        int n;
        while ((n = await r.ReadAsync(buffer)) > 0) lock (into) into.Append(buffer, 0, n);
    });

    /// <param name="connection">--controller, --token (and --ca-file) as <see cref="Infractl.Connection"/> gives them.</param>
    public static RunningCtl Start(string netns, IReadOnlyList<string> connection, string[] args)
    {
        var psi = NsProcess.StartInfo(netns, "infractl.dll", [.. connection, .. args]);
        psi.RedirectStandardInput = true;
        return new RunningCtl(Process.Start(psi)!);
    }

    /// <summary>
    /// Starts infractl on a terminal of its own, as a person runs it: util-linux script(1) gives it a
    /// pty (so stdin is a terminal and it goes raw) and relays the test's pipe to it; -e passes infractl's
    /// exit code through. What infractl prints on stdout and stderr both arrive on Out.
    /// </summary>
    public static RunningCtl StartOnTerminal(string netns, IReadOnlyList<string> connection, string[] args)
    {
        var command = string.Join(' ', new[] { "dotnet", NsProcess.Dll("infractl.dll") }.Concat(connection).Concat(args).Select(a => "'" + a.Replace("'", "'\\''") + "'"));
        var psi = new ProcessStartInfo("nsenter") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])[$"--net=/run/netns/{netns}", "--", "script", "-q", "-e", "-c", command, "/dev/null"]) psi.ArgumentList.Add(a);
        psi.Environment.Remove("NOTIFY_SOCKET");
        return new RunningCtl(Process.Start(psi)!);
    }

    public string Out { get { lock (_out) return _out.ToString(); } }
    public string Err { get { lock (_err) return _err.ToString(); } }

    public async Task TypeAsync(string text)
    {
        await _p.StandardInput.WriteAsync(text);
        await _p.StandardInput.FlushAsync();
    }

    /// <summary>Closes stdin (the end of piped input).</summary>
    public void EndInput() => _p.StandardInput.Close();

    public async Task WaitForAsync(Func<RunningCtl, bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!done(this))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"infractl: no {what} within {timeout.TotalSeconds:F0} s; {this}");
            if (_p.HasExited && !done(this)) throw new Xunit.Sdk.XunitException($"infractl exited before {what}; {this}");
            await Task.Delay(50);
        }
    }

    public Task WaitForOutputAsync(string text, TimeSpan timeout) => WaitForAsync(c => c.Out.Contains(text, StringComparison.Ordinal), timeout, $"'{text}' on stdout");

    public async Task<int> WaitExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try { await _p.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { throw new TimeoutException($"infractl did not exit within {timeout.TotalSeconds:F0} s; {this}"); }
        await Task.WhenAll(_readOut, _readErr);
        return _p.ExitCode;
    }

    public override string ToString() => $"exit {(_p.HasExited ? _p.ExitCode.ToString() : "(running)")}\nstdout: {Tail(Out)}\nstderr: {Tail(Err)}";

    static string Tail(string s) => s.Length > 3000 ? "…" + s[^3000..] : s;

    public void Dispose()
    {
        try { if (!_p.HasExited) { _p.Kill(); _p.WaitForExit(10_000); } } catch (InvalidOperationException) { }
        _p.Dispose();
    }
}
