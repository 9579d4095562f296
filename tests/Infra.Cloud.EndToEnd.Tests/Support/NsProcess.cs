using System.Diagnostics;
using System.Text;

namespace Infra.Cloud.EndToEnd.Tests.Support;

/// <summary>
/// One of our programs (a dll next to the tests, run with `dotnet`) inside a network namespace.
/// nsenter switches only the network namespace and execs, so the PID held is the program's own and
/// Kill stops exactly it. (`ip netns exec` would also remount /sys for the namespace, hiding the
/// cgroup hierarchy the agent puts VMs in; a real host has no such difference.)
/// </summary>
public sealed class NsProcess : IDisposable
{
    readonly StringBuilder _output = new();
    public Process Process { get; }
    public string Output { get { lock (_output) return _output.ToString(); } }

    NsProcess(Process p) => Process = p;

    public static string Dll(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, name);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{name} is not next to the tests; build the test project", path);
    }

    public static ProcessStartInfo StartInfo(string netns, string dll, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo("nsenter") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])[$"--net=/run/netns/{netns}", "--", "dotnet", Dll(dll), .. args]) psi.ArgumentList.Add(a);
        psi.Environment.Remove("NOTIFY_SOCKET");
        return psi;
    }

    public static NsProcess Start(string netns, string dll, params string[] args) => Start(netns, dll, args, new Dictionary<string, string>());

    public static NsProcess Start(string netns, string dll, string[] args, IReadOnlyDictionary<string, string> environment)
    {
        var psi = StartInfo(netns, dll, args);
        foreach (var (k, v) in environment) psi.Environment[k] = v;
        var p = new NsProcess(Process.Start(psi)!);
        p.Process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (p._output) p._output.AppendLine(e.Data); };
        p.Process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (p._output) p._output.AppendLine("stderr: " + e.Data); };
        p.Process.BeginOutputReadLine();
        p.Process.BeginErrorReadLine();
        return p;
    }

    public bool IsRunning => !Process.HasExited;

    /// <summary>SIGKILL: the program gets no chance to clean anything up.</summary>
    public void Kill()
    {
        try { if (!Process.HasExited) { Process.Kill(); Process.WaitForExit(10_000); } }
        catch (InvalidOperationException) { }
    }

    public void Dispose()
    {
        Kill();
        Process.Dispose();
    }
}
