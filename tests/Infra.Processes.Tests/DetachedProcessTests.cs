namespace Infra.Processes.Tests;

/// <summary>Real processes: `sleep` started detached, observed through /proc, signalled, gone.</summary>
public sealed class DetachedProcessTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("infra-processes-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task StartAsync_Sleep_RunsDetachedWithItsArgv_AndDiesOnSigterm()
    {
        var p = await DetachedProcess.StartAsync("sleeper", "sleep", ["300"], _dir);
        try
        {
            Assert.True(ProcFs.IsAlive(p.Pid));
            Assert.False(p.HasExited);
            // The PID is known once the shell wrote it, a moment before it execs sleep.
            for (var i = 0; i < 200 && ProcFs.CommandLine(p.Pid) is not ["sleep", "300"]; i++) await Task.Delay(10);
            Assert.Equal(["sleep", "300"], ProcFs.CommandLine(p.Pid));
            // Detached: re-parented away from us, in a session of its own.
            var stat = File.ReadAllText($"/proc/{p.Pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            Assert.NotEqual(Environment.ProcessId.ToString(), fields[1]);
            Assert.Equal(p.Pid.ToString(), fields[3]);
            Assert.True(File.Exists(p.LogFile));

            Assert.Equal(SignalResult.Sent, Signals.Send(p.Pid, Signals.Term));
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await p.WaitForExitAsync(cts.Token);
            Assert.False(ProcFs.IsAlive(p.Pid));
            Assert.Empty(ProcFs.CommandLine(p.Pid));
        }
        finally { _ = Signals.Send(p.Pid, Signals.Kill); }
    }

    [Fact]
    public async Task PidProcess_FromPidFile_AdoptsALiveDaemon_AndStopsIt()
    {
        var started = await DetachedProcess.StartAsync("adoptee", "sleep", ["300"], _dir);
        var pidFile = Path.Combine(_dir, "adoptee.pid");
        File.WriteAllText(pidFile, $"{started.Pid}\n");
        try
        {
            var adopted = PidProcess.FromPidFile(pidFile);
            Assert.NotNull(adopted);
            Assert.Equal(started.Pid, adopted.Pid);
            await adopted.StopAsync(TimeSpan.FromSeconds(5));
            Assert.True(adopted.HasExited);
            Assert.Null(PidProcess.FromPidFile(pidFile));
        }
        finally { _ = Signals.Send(started.Pid, Signals.Kill); }
    }

    [Fact]
    public async Task StartAsync_WhenTheProgramWritesOutput_AppendsItToTheLog()
    {
        var p = await DetachedProcess.StartAsync("talker", "/bin/sh", ["-c", "echo hello-from-daemon >&2"], _dir);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await p.WaitForExitAsync(cts.Token);
        Assert.Contains("hello-from-daemon", p.StderrTail);
    }

    [Fact]
    public void Signals_ToAPidThatDoesNotExist_SaysNoSuchProcess()
    {
        Assert.Equal(SignalResult.NoSuchProcess, Signals.Send(int.MaxValue - 1, 0));
        Assert.Equal(SignalResult.NoSuchProcess, Signals.Send(0, Signals.Term));
        Assert.Null(PidProcess.FromPidFile(Path.Combine(_dir, "absent.pid")));
    }
}
