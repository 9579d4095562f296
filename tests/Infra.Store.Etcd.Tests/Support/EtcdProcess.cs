using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Infra.Store.Etcd;

namespace Infra.Store.Etcd.Tests.Support;

/// <summary>
/// A real single-member etcd (the Debian etcd-server binary) on free loopback ports with its own
/// temp data dir. Start waits (bounded) until it serves a Range; Kill is SIGKILL by PID (a crash,
/// nothing flushed on the way out); Start again reuses the data dir and ports, i.e. a restart.
/// Dispose kills it and deletes the dir.
/// </summary>
public sealed class EtcdProcess : IAsyncDisposable
{
    public static string Binary => File.Exists("/usr/bin/etcd") ? "/usr/bin/etcd" : "etcd";

    readonly string _dir = Directory.CreateTempSubdirectory("infra-etcd-").FullName;
    readonly int _clientPort = FreePort();
    readonly int _peerPort = FreePort();
    Process? _process;
    readonly StringWriter _output = new();

    public string ClientUrl => $"http://127.0.0.1:{_clientPort}";
    public string DataDir => Path.Combine(_dir, "data");
    public int? Pid => _process is { HasExited: false } p ? p.Id : null;

    public static async Task<EtcdProcess> StartNewAsync()
    {
        var e = new EtcdProcess();
        try { await e.StartAsync(); }
        catch { await e.DisposeAsync(); throw; }
        return e;
    }

    public async Task StartAsync()
    {
        if (Pid is not null) throw new InvalidOperationException("etcd is already running");
        var peer = $"http://127.0.0.1:{_peerPort}";
        var psi = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[]
                 {
                     "--name", "default", "--data-dir", DataDir,
                     "--listen-client-urls", ClientUrl, "--advertise-client-urls", ClientUrl,
                     "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                     "--initial-cluster", $"default={peer}", "--initial-cluster-state", "new",
                     "--log-level", "warn", "--logger", "zap",
                 })
            psi.ArgumentList.Add(a);
        _process = Process.Start(psi) ?? throw new InvalidOperationException("could not start etcd");
        _process.OutputDataReceived += (_, l) => { if (l.Data is { } d) lock (_output) _output.WriteLine(d); };
        _process.ErrorDataReceived += (_, l) => { if (l.Data is { } d) lock (_output) _output.WriteLine(d); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitReadyAsync(TimeSpan.FromSeconds(30));
    }

    async Task WaitReadyAsync(TimeSpan bound)
    {
        await using var probe = EtcdStore.Connect(new EtcdStoreOptions([ClientUrl], CallTimeout: TimeSpan.FromSeconds(1)));
        var sw = Stopwatch.StartNew();
        while (true)
        {
            if (_process!.HasExited) throw new InvalidOperationException($"etcd exited with {_process.ExitCode}:\n{Output}");
            try
            {
                await probe.RangeAsync(new RangeRequest(Keys.Of("/probe")));
                return;
            }
            catch (StoreException) when (sw.Elapsed < bound)
            {
                await Task.Delay(50);
            }
            catch (StoreException e)
            {
                throw new TimeoutException($"etcd did not answer within {bound}: {e.Message}\n{Output}");
            }
        }
    }

    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>SIGKILL by PID and wait for the process to be gone.</summary>
    public void Kill()
    {
        if (_process is null) return;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
            _process.WaitForExit(10_000);
        }
        _process.Dispose();
        _process = null;
    }

    static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        return ValueTask.CompletedTask;
    }
}
