using System.Diagnostics;
using System.Text.Json;

namespace Infra.Cloud.EndToEnd.Tests.Support;

/// <summary>What one infractl run printed.</summary>
public sealed record CtlResult(int Code, string Out, string Err)
{
    public JsonElement Json => JsonDocument.Parse(Out).RootElement;
    public override string ToString() => $"exit {Code}\nstdout: {Out}\nstderr: {Err}";
}

/// <summary>The real infractl program, run inside the cloud's namespace as an operator would run it.</summary>
public sealed class Infractl(string netns, string url, string token)
{
    public async Task<CtlResult> RunAsync(params string[] args)
    {
        var psi = NsProcess.StartInfo(netns, "infractl.dll", ["--controller", url, "--token", token, .. args]);
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try { await p.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { p.Kill(); throw new TimeoutException($"infractl {string.Join(' ', args)} ran over 120 s"); }
        return new CtlResult(p.ExitCode, await o, await e);
    }

    /// <summary>Starts infractl and leaves it running (console sessions); stdin is a pipe.</summary>
    public RunningCtl Start(params string[] args) => RunningCtl.Start(netns, url, token, args);

    /// <summary>Starts infractl on a pty of its own (interactive); see <see cref="RunningCtl.StartOnTerminal"/>.</summary>
    public RunningCtl StartOnTerminal(params string[] args) => RunningCtl.StartOnTerminal(netns, url, token, args);

    /// <summary>Runs with <paramref name="stdin"/> piped in, to its exit (bounded).</summary>
    public async Task<CtlResult> RunWithInputAsync(string stdin, params string[] args)
    {
        using var c = Start(args);
        await c.TypeAsync(stdin);
        c.EndInput();
        var code = await c.WaitExitAsync(TimeSpan.FromSeconds(120));
        return new CtlResult(code, c.Out, c.Err);
    }

    /// <summary>Runs with --output json, asserts exit 0 and returns the parsed answer.</summary>
    public async Task<JsonElement> JsonAsync(params string[] args)
    {
        var r = await RunAsync(["--output", "json", .. args]);
        Assert.True(r.Code == 0, $"infractl {string.Join(' ', args)}: {r}");
        return r.Json;
    }

    public static string Id(JsonElement e) => e.GetProperty("meta").GetProperty("id").GetString()!;

    /// <summary>Polls `get` (absent counts as not yet) until <paramref name="done"/> holds (bounded), returning the last answer.</summary>
    public async Task<JsonElement> WaitAsync(string kind, string id, Func<JsonElement, bool> done, TimeSpan timeout, Func<string>? context = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        JsonElement last = default;
        while (DateTime.UtcNow < deadline)
        {
            // Exit 4 is NOT_FOUND: a host appears only once its agent said hello.
            var r = await RunAsync("--output", "json", kind, "get", id);
            Assert.True(r.Code is 0 or 4, $"infractl {kind} get {id}: {r}");
            if (r.Code == 0 && done(last = r.Json)) return last;
            await Task.Delay(300);
        }
        throw new TimeoutException($"{kind} {id} did not reach the expected state in {timeout.TotalSeconds:F0} s; last: {last}\n{context?.Invoke()}");
    }
}

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

    public static RunningCtl Start(string netns, string url, string token, string[] args)
    {
        var psi = NsProcess.StartInfo(netns, "infractl.dll", ["--controller", url, "--token", token, .. args]);
        psi.RedirectStandardInput = true;
        return new RunningCtl(Process.Start(psi)!);
    }

    /// <summary>
    /// Starts infractl on a terminal of its own, as a person runs it: util-linux script(1) gives it a
    /// pty (so stdin is a terminal and it goes raw) and relays the test's pipe to it; -e passes infractl's
    /// exit code through. What infractl prints on stdout and stderr both arrive on Out.
    /// </summary>
    public static RunningCtl StartOnTerminal(string netns, string url, string token, string[] args)
    {
        var command = string.Join(' ', new[] { "dotnet", NsProcess.Dll("infractl.dll"), "--controller", url, "--token", token }.Concat(args).Select(a => "'" + a.Replace("'", "'\\''") + "'"));
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
