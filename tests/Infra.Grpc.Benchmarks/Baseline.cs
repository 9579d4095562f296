using System.Diagnostics;

namespace Infra.Grpc.Benchmarks;

/// <summary>
/// The old own runtime, built from the commit before the switch: a detached `git worktree` of that
/// commit in a temp dir, where the old benchmark (its client, `--client ADDRESS`) and a small server
/// program written next to it (BaselineServer/*.txt: the old BenchService on the old runtime) are
/// built. Both run as processes of their own. The worktree is removed when the run ends unless
/// --baseline-dir names a folder to keep (and reuse: a second run skips the build).
/// </summary>
public sealed class Baseline : IDisposable
{
    public const string DefaultCommit = "0a645b6";
    readonly string _repo;
    readonly bool _keep;

    Baseline(string repo, string dir, bool keep, string commit) { _repo = repo; Dir = dir; _keep = keep; Commit = commit; }

    public string Dir { get; }
    public string Commit { get; }
    public string ClientDll => Path.Combine(Dir, "tests/Infra.Grpc.Benchmarks/bin/Release/net10.0/Infra.Grpc.Benchmarks.dll");
    public string ServerDll => Path.Combine(Dir, "tests/Infra.Grpc.Benchmarks.BaselineServer/bin/Release/net10.0/BaselineServer.dll");

    public static Baseline Prepare(string commit, string? keepDir)
    {
        var repo = Git(AppContext.BaseDirectory, "rev-parse", "--show-toplevel").Trim();
        var dir = keepDir ?? Path.Combine(Path.GetTempPath(), $"infra-grpc-baseline-{commit}-{Environment.ProcessId}");
        var b = new Baseline(repo, Path.GetFullPath(dir), keepDir is not null, commit);
        if (File.Exists(b.ClientDll) && File.Exists(b.ServerDll)) return b;
        if (!Directory.Exists(Path.Combine(b.Dir, "proto/Infra.Grpc"))) Git(repo, "worktree", "add", "--detach", b.Dir, commit);
        var server = Path.Combine(b.Dir, "tests/Infra.Grpc.Benchmarks.BaselineServer");
        Directory.CreateDirectory(server);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "BaselineServer/BaselineServer.csproj.txt"), Path.Combine(server, "BaselineServer.csproj"), true);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "BaselineServer/Program.cs.txt"), Path.Combine(server, "Program.cs"), true);
        Console.Error.WriteLine($"building the baseline ({commit}) in {b.Dir} ...");
        foreach (var project in new[] { "tests/Infra.Grpc.Benchmarks", "tests/Infra.Grpc.Benchmarks.BaselineServer" })
            Exec("dotnet", b.Dir, "build", project, "-c", "Release", "-v", "q", "--nologo");
        return b;
    }

    /// <summary>Starts the old server; returns the process (stdin open: closing it stops the server) and its address.</summary>
    public (Process Process, string Address) StartServer()
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardInput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(ServerDll);
        var p = Process.Start(psi)!;
        var address = p.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)).GetAwaiter().GetResult()
            ?? throw new InvalidOperationException("the baseline server exited: " + p.StandardError.ReadToEnd());
        return (p, address);
    }

    public void Dispose()
    {
        if (_keep) return;
        try { Git(_repo, "worktree", "remove", "--force", Dir); }
        catch (InvalidOperationException) { if (Directory.Exists(Dir)) Directory.Delete(Dir, true); Git(_repo, "worktree", "prune"); }
    }

    static string Git(string cwd, params string[] args) => Exec("git", cwd, args);

    static string Exec(string file, string cwd, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = cwd, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var err = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(900_000)) { p.Kill(true); throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in 15 min"); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {err.Result}{output.Result}");
        return output.Result;
    }
}
