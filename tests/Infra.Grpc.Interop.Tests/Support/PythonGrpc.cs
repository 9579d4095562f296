using System.Diagnostics;

namespace Infra.Grpc.Interop.Tests.Support;

/// <summary>
/// Python grpcio from Debian (/usr/bin/python3): stubs are generated at test time with grpc_tools.protoc
/// into a temp dir (once per test run, removed at exit), and scripts run as child processes that are
/// killed by PID on dispose.
/// </summary>
public static class PythonGrpc
{
    public const string Python = "/usr/bin/python3";
    static readonly Lazy<string> Stubs = new(Generate, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string StubDir => Stubs.Value;

    static string Generate()
    {
        var dir = Path.Combine(Path.GetTempPath(), "infra-grpc-py-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(dir, true); } catch (IOException) { } };
        var baseDir = AppContext.BaseDirectory;
        var psi = new ProcessStartInfo(Python)
        {
            ArgumentList = { "-m", "grpc_tools.protoc", "-I", Path.Combine(baseDir, "Protos"), "-I", Path.Combine(baseDir, "grpcprotos"),
                "--python_out=" + dir, "--grpc_python_out=" + dir, "tester.proto", "health/v1/health.proto",
                "reflection/v1/reflection.proto", "reflection/v1alpha/reflection.proto" },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(60_000)) { p.Kill(true); throw new TimeoutException("grpc_tools.protoc did not finish in 60 s."); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"grpc_tools.protoc failed ({p.ExitCode}): {err.Result}. Is python3-grpc-tools installed?");
        foreach (var script in Directory.GetFiles(Path.Combine(baseDir, "Python"), "*.py"))
            File.Copy(script, Path.Combine(dir, Path.GetFileName(script)), true);
        return dir;
    }

    public static PythonProcess Start(string script, params string[] args) => new(script, args, null);

    public static PythonProcess Start(string script, IReadOnlyDictionary<string, string> environment, params string[] args) => new(script, args, environment);
}

public sealed class PythonProcess : IDisposable
{
    readonly Process _process;
    readonly System.Text.StringBuilder _stderr = new();

    internal PythonProcess(string script, string[] args, IReadOnlyDictionary<string, string>? environment)
    {
        var psi = new ProcessStartInfo(PythonGrpc.Python)
        {
            WorkingDirectory = PythonGrpc.StubDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        psi.ArgumentList.Add("-u");
        psi.ArgumentList.Add(Path.Combine(PythonGrpc.StubDir, script));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["PYTHONPATH"] = PythonGrpc.StubDir;
        psi.Environment["GRPC_VERBOSITY"] = "ERROR";
        if (environment is not null) foreach (var (k, v) in environment) psi.Environment[k] = v;
        _process = Process.Start(psi)!;
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data); };
        _process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;
    public string StandardError { get { lock (_stderr) return _stderr.ToString(); } }
    public StreamWriter StandardInput => _process.StandardInput;

    public async Task<string> ReadLineAsync(TimeSpan timeout)
    {
        try
        {
            return await _process.StandardOutput.ReadLineAsync().WaitAsync(timeout)
                ?? throw new InvalidOperationException($"Python process ended early. stderr:\n{StandardError}");
        }
        catch (TimeoutException) { throw new TimeoutException($"No output from Python within {timeout}. stderr:\n{StandardError}"); }
    }

    /// <summary>Waits for exit and returns all remaining stdout.</summary>
    public async Task<string> ReadToEndAsync(TimeSpan timeout)
    {
        var output = await _process.StandardOutput.ReadToEndAsync().WaitAsync(timeout);
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return output;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                Process.GetProcessById(_process.Id).Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException) { }
        catch (ArgumentException) { }
        _process.Dispose();
    }
}
