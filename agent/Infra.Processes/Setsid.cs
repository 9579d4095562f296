using System.Diagnostics;

namespace Infra.Processes;

/// <summary>
/// The one way we start a process that must outlive the agent (SIGKILL included): <c>setsid --fork</c>
/// runs a shell in a new session, re-parented to init, so it is never the agent's child and no pipe
/// ties it to the agent (a broken pipe would kill it when the agent dies). The intermediate setsid
/// exits as soon as it has forked; callers learn the PID from a file the shell (or the daemon) writes.
/// </summary>
public static class Setsid
{
    /// <summary>
    /// Runs <c>/bin/sh -c <paramref name="script"/></c> detached, with <c>$0</c> = <paramref name="arg0"/>
    /// and <c>$1...</c> = <paramref name="args"/>, and returns once the intermediate setsid has exited.
    /// </summary>
    public static async Task RunDetachedAsync(string script, string arg0, IEnumerable<string> args, CancellationToken ct = default)
    {
        var psi = new ProcessStartInfo("setsid") { UseShellExecute = false };
        foreach (var a in (string[])["--fork", "/bin/sh", "-c", script, arg0]) psi.ArgumentList.Add(a);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot run setsid (util-linux); install util-linux");
        await p.WaitForExitAsync(ct).ConfigureAwait(false);
    }
}
