using System.Diagnostics;
using System.Text;

namespace Infra.Cloud.Demo.Tests.Support;

/// <summary>What one command in the sandbox printed (stdout and stderr interleaved as they came).</summary>
public sealed record RunResult(int Code, string Out, TimeSpan Took)
{
    public override string ToString() => $"exit {Code} after {Took.TotalSeconds:F0} s\n{Out}";
}

/// <summary>
/// sandbox.sh from C#: network, PID and mount namespaces in which `make cloud` runs as a user runs
/// it, with /etc, /var/lib, /usr/local/bin and /root as overlays and a fresh /run (see the script's
/// header). Dispose kills everything inside by killing the namespace's init, whatever state the
/// test left, and removes the VM cgroups it may have left on the shared /sys/fs/cgroup.
/// </summary>
public sealed class Sandbox : IDisposable
{
    public string Dir { get; }
    public string Repo { get; }
    string Script => Path.Combine(Repo, "tests", "Infra.Cloud.Demo.Tests", "sandbox.sh");

    Sandbox(string repo)
    {
        Repo = repo;
        Dir = Directory.CreateTempSubdirectory("infra-demo-").FullName;
    }

    public static async Task<Sandbox> StartAsync()
    {
        var s = new Sandbox(FindRepo());
        try
        {
            var r = await RunOnHostAsync(s.Repo, TimeSpan.FromSeconds(30), "bash", s.Script, "start", s.Dir);
            if (r.Code != 0) throw new InvalidOperationException($"sandbox.sh start: {r}");
            return s;
        }
        catch { s.Dispose(); throw; }
    }

    /// <summary>The repository this test binary was built from: the directory with Makefile and Infra.sln.</summary>
    public static string FindRepo()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Makefile")) && File.Exists(Path.Combine(d.FullName, "Infra.sln"))) return d.FullName;
        throw new DirectoryNotFoundException($"no Makefile + Infra.sln above {AppContext.BaseDirectory}");
    }

    /// <summary>Runs a command inside, in the repository, to its exit (bounded); stdin from <paramref name="stdin"/>.</summary>
    /// (Not an overload of <see cref="RunAsync"/>: with one, RunAsync(t, "bash", "-c", ...) bound "bash" to stdin.)
    public Task<RunResult> RunWithInputAsync(TimeSpan timeout, string stdin, params string[] args) =>
        RunOnHostAsync(Repo, timeout, stdin, ["bash", Script, "exec", Dir, .. args]);

    public Task<RunResult> RunAsync(TimeSpan timeout, params string[] args) =>
        RunOnHostAsync(Repo, timeout, null, ["bash", Script, "exec", Dir, .. args]);

    /// <summary>What is left inside: processes besides init, files in the overlays' uppers, bridges, links, cgroups.</summary>
    public async Task<string[]> LeftoversAsync()
    {
        var r = await RunOnHostAsync(Repo, TimeSpan.FromSeconds(60), "bash", Script, "leftovers", Dir);
        if (r.Code != 0) throw new InvalidOperationException($"sandbox.sh leftovers: {r}");
        return r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    public static Task<RunResult> RunOnHostAsync(string cwd, TimeSpan timeout, params string[] args) => RunOnHostAsync(cwd, timeout, null, args);

    public static async Task<RunResult> RunOnHostAsync(string cwd, TimeSpan timeout, string? stdin, string[] args)
    {
        var psi = new ProcessStartInfo(args[0]) { WorkingDirectory = cwd, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in args.Skip(1)) psi.ArgumentList.Add(a);
        // The test runner's own build settings must not leak into the user's make cloud.
        foreach (var k in new[] { "NOTIFY_SOCKET", "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "DOTNET_HOST_PATH", "VSTEST_HOST_DEBUG" }) psi.Environment.Remove(k);
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var output = new StringBuilder();
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        p.BeginOutputReadLine(); p.BeginErrorReadLine();
        if (stdin is not null) await p.StandardInput.WriteAsync(stdin);
        p.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout);
        try { await p.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            lock (output) throw new TimeoutException($"{string.Join(' ', args)} ran over {timeout.TotalSeconds:F0} s; output so far:\n{output}");
        }
        p.WaitForExit();
        lock (output) return new RunResult(p.ExitCode, output.ToString(), sw.Elapsed);
    }

    public void Dispose()
    {
        try { RunOnHostAsync(Repo, TimeSpan.FromSeconds(30), "bash", Script, "stop", Dir).GetAwaiter().GetResult(); }
        catch (Exception e) { Console.WriteLine($"sandbox.sh stop: {e.Message}"); }
        // Killed VMs leave their (now empty) cgroups on the shared hierarchy; rmdir only removes empty ones.
        foreach (var parent in Directory.GetDirectories("/sys/fs/cgroup").Append("/sys/fs/cgroup").Select(h => Path.Combine(h, "infra")).Where(Directory.Exists))
        {
            foreach (var d in Directory.GetDirectories(parent, "*", SearchOption.AllDirectories).OrderByDescending(d => d.Length))
                try { Directory.Delete(d); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            try { Directory.Delete(parent); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}
