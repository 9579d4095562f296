using System.Diagnostics;
using System.Text;

namespace Infra.TestHosts;

/// <summary>
/// The images as `make image` builds them: images/build.sh of this repository, run once per test
/// process. It is cached by its inputs (/var/cache/infra-images), so after the first build this
/// only checks the key and copies nothing; the log says which it was.
/// </summary>
public static class ImageBuild
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly Dictionary<string, (string Path, TimeSpan Took, string Log)> Built = [];

    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>Builds (or finds cached) images/&lt;name&gt; and returns the qcow2 path, the time it took and the build log.</summary>
    public static async Task<(string Path, TimeSpan Took, string Log)> EnsureAsync(string name)
    {
        await Gate.WaitAsync();
        try
        {
            if (Built.TryGetValue(name, out var done)) return done;
            var sw = Stopwatch.StartNew();
            var psi = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add(System.IO.Path.Combine(RepoRoot, "images", "build.sh"));
            psi.ArgumentList.Add(name);
            using var p = Process.Start(psi)!;
            var log = new StringBuilder();
            p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
            p.BeginErrorReadLine();
            var stdout = await p.StandardOutput.ReadToEndAsync();
            // A cold Debian build is minutes (downloads, dpkg); bounded well above that.
            using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(30));
            try { await p.WaitForExitAsync(cts.Token); }
            catch (OperationCanceledException) { p.Kill(entireProcessTree: true); throw new TimeoutException($"images/build.sh {name} took over 30 min: {log}"); }
            if (p.ExitCode != 0) throw new InvalidOperationException($"images/build.sh {name} failed (exit {p.ExitCode}):\n{log}");
            var path = stdout.Trim().Split('\n')[^1];
            if (!File.Exists(path)) throw new InvalidOperationException($"images/build.sh {name} printed '{path}', which does not exist:\n{log}");
            return Built[name] = (path, sw.Elapsed, log.ToString());
        }
        finally { Gate.Release(); }
    }

    private static string FindRepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(System.IO.Path.Combine(d.FullName, "images", "build.sh"))) return d.FullName;
        throw new InvalidOperationException($"no images/build.sh above {AppContext.BaseDirectory}");
    }
}
