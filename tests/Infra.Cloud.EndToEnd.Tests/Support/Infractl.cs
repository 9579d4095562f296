using System.Diagnostics;
using System.Text.Json;

namespace Infra.Cloud.EndToEnd.Tests.Support;

/// <summary>What one infractl run printed.</summary>
public sealed record CtlResult(int Code, string Out, string Err)
{
    public JsonElement Json => JsonDocument.Parse(Out).RootElement;
    public override string ToString() => $"exit {Code}\nstdout: {Out}\nstderr: {Err}";
}

/// <summary>The real infractl program, run inside the cloud's namespace as an operator would run it
/// (with <paramref name="caFile"/>, trusting only that CA for an https:// controller).</summary>
public sealed class Infractl(string netns, string url, string token, string? caFile = null)
{
    /// <summary>The global options every run starts with.</summary>
    public IReadOnlyList<string> Connection { get; } = caFile is null
        ? ["--controller", url, "--token", token]
        : ["--controller", url, "--token", token, "--ca-file", caFile];

    public async Task<CtlResult> RunAsync(params string[] args)
    {
        var psi = NsProcess.StartInfo(netns, "infractl.dll", [.. Connection, .. args]);
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try { await p.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { p.Kill(); throw new TimeoutException($"infractl {string.Join(' ', args)} ran over 120 s"); }
        return new CtlResult(p.ExitCode, await o, await e);
    }

    /// <summary>Starts infractl and leaves it running (console sessions); stdin is a pipe.</summary>
    public RunningCtl Start(params string[] args) => RunningCtl.Start(netns, Connection, args);

    /// <summary>Starts infractl on a pty of its own (interactive); see <see cref="RunningCtl.StartOnTerminal"/>.</summary>
    public RunningCtl StartOnTerminal(params string[] args) => RunningCtl.StartOnTerminal(netns, Connection, args);

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
