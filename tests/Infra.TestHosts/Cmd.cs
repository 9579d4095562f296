using System.Diagnostics;

namespace Infra.TestHosts;

/// <summary>Runs a command to completion with a bounded wait; failures carry stderr so a broken fixture explains itself.</summary>
public static class Cmd
{
    public static string Run(string file, params string[] args) => RunWithExit(file, args, check: true).Output;

    public static (int Exit, string Output, string Error) RunWithExit(string file, string[] args, bool check = false, int timeoutMs = 60000)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutMs)) { try { p.Kill(true); } catch (InvalidOperationException) { } throw new TimeoutException($"{file} {string.Join(' ', args)} timed out"); }
        var (o, e) = (stdout.Result, stderr.Result);
        if (check && p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({p.ExitCode}): {e.Trim()}");
        return (p.ExitCode, o, e);
    }

    public static string InNs(string ns, string file, params string[] args) => Run("ip", ["netns", "exec", ns, file, .. args]);

    /// <summary>Bounded poll; throws with <paramref name="what"/> if the condition never holds.</summary>
    public static void WaitUntil(Func<bool> condition, string what, int timeoutMs = 10000)
    {
        for (var waited = 0; waited < timeoutMs; waited += 20)
        {
            if (condition()) return;
            Thread.Sleep(20);
        }
        throw new TimeoutException($"Timed out after {timeoutMs} ms waiting for {what}");
    }

    public static string Unique() => Convert.ToHexString(Guid.NewGuid().ToByteArray().AsSpan(0, 3)).ToLowerInvariant();
}
