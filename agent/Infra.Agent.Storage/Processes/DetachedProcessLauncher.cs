using System.Diagnostics;

namespace Infra.Agent.Storage.Processes;

/// <summary>
/// Starts daemons that outlive the agent on hosts without systemd (the supervised runner's
/// counterpart for storage): <c>setsid --fork</c> puts the daemon in its own session, re-parented
/// to init, with stdout/stderr appended to <c>logDirectory/&lt;name&gt;.log</c> instead of a pipe to
/// the agent (a pipe would break, and the daemon with it, when the agent is killed). The shell
/// writes its own PID and then execs the daemon, so that PID is the daemon's.
/// </summary>
public sealed class DetachedProcessLauncher(string logDirectory) : IProcessLauncher
{
    private static readonly TimeSpan PidWait = TimeSpan.FromSeconds(10);

    public async Task<IManagedProcess> StartAsync(ProcessSpec spec, CancellationToken ct = default)
    {
        Directory.CreateDirectory(logDirectory);
        var log = Path.Combine(logDirectory, spec.Name + ".log");
        var pidFile = Path.Combine(logDirectory, spec.Name + ".launch-pid");
        File.Delete(pidFile);
        var psi = new ProcessStartInfo("setsid") { UseShellExecute = false };
        // sh -c SCRIPT $0=pid file $1=log, then the daemon's argv.
        foreach (var a in (string[])["--fork", "/bin/sh", "-c", "echo $$ > \"$0\"; log=\"$1\"; shift; exec \"$@\" >>\"$log\" 2>&1 </dev/null", pidFile, log])
            psi.ArgumentList.Add(a);
        psi.ArgumentList.Add(spec.FileName);
        foreach (var a in spec.Arguments) psi.ArgumentList.Add(a);
        using (var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot run setsid (util-linux)"))
            await p.WaitForExitAsync(ct).ConfigureAwait(false);

        var deadline = DateTime.UtcNow + PidWait;
        while (true)
        {
            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid))
            {
                File.Delete(pidFile);
                return new Detached(new PidProcess(pid), log);
            }
            if (DateTime.UtcNow > deadline) throw new InvalidOperationException($"{spec.Name} did not start within {PidWait.TotalSeconds} s (see {log})");
            await Task.Delay(20, ct).ConfigureAwait(false);
        }
    }

    /// <summary>A detached daemon: a PID to poll and signal, and its log file for error messages.</summary>
    private sealed class Detached(PidProcess process, string log) : IManagedProcess
    {
        public int Pid => process.Pid;
        public bool HasExited => process.HasExited;
        public string StderrTail
        {
            get
            {
                try { return string.Join('\n', File.ReadLines(log).TakeLast(20)); }
                catch (IOException) { return $"(no log at {log})"; }
            }
        }
        public Task<int> WaitForExitAsync(CancellationToken ct = default) => process.WaitForExitAsync(ct);
        public Task StopAsync(TimeSpan grace, CancellationToken ct = default) => process.StopAsync(grace, ct);
        public ValueTask DisposeAsync() => process.DisposeAsync();
    }
}
