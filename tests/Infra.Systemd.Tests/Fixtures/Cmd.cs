using System.Diagnostics;

namespace Infra.Systemd.Tests.Fixtures;

/// <summary>Runs a host command with a time bound and fails with its stderr, so fixture errors say what broke.</summary>
static class Cmd
{
    public static string Run(string file, params string[] args) => Run(TimeSpan.FromSeconds(60), file, args);

    public static string Run(TimeSpan timeout, string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {timeout}");
        }
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed with exit code {p.ExitCode}: {stderr.Result.Trim()} {Tail(stdout.Result)}");
        return stdout.Result;
    }

    static string Tail(string s) => s.Length > 2000 ? s[^2000..] : s;
}
