using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Infra.Store.Etcd;
using Infra.TestHosts;

namespace Infra.Store.Etcd.Tests.Support;

/// <summary>
/// A real single-member etcd (the Debian etcd-server binary) on free loopback ports with its own
/// temp data dir. Start waits (bounded) until it serves a Range; Kill is SIGKILL by PID (a crash,
/// nothing flushed on the way out); Start again reuses the data dir and ports, i.e. a restart.
/// Dispose kills it and deletes the dir. With a <see cref="TestPki"/> it serves https:// with a
/// certificate for 127.0.0.1 from that CA, and with clientCertAuth also requires client certificates
/// from it (--client-cert-auth); <see cref="ClientSecurity"/> is what a client then needs.
/// </summary>
public sealed class EtcdProcess : IAsyncDisposable
{
    public static string Binary => File.Exists("/usr/bin/etcd") ? "/usr/bin/etcd" : "etcd";

    readonly string _dir = Directory.CreateTempSubdirectory("infra-etcd-").FullName;
    readonly int _clientPort = FreePort();
    readonly int _peerPort = FreePort();
    Process? _process;
    readonly StringWriter _output = new();
    readonly TestPki? _pki;
    readonly bool _clientCertAuth;
    (string Cert, string Key) _server, _client;

    EtcdProcess(TestPki? pki = null, bool clientCertAuth = false)
    {
        (_pki, _clientCertAuth) = (pki, clientCertAuth);
        if (pki is null) return;
        _server = pki.Issue("etcd-server", ["127.0.0.1", "localhost"], "etcd-" + _clientPort);
        _client = pki.Issue("infra-controller", [], "etcd-client-" + _clientPort);
    }

    public string ClientUrl => $"{(_pki is null ? "http" : "https")}://127.0.0.1:{_clientPort}";

    /// <summary>What a client of this etcd presents and trusts: the CA, and a client certificate when they are required.</summary>
    public EtcdSecurity? ClientSecurity => _pki is null ? null
        : new EtcdSecurity(CaFile: _pki.CaFile, CertFile: _clientCertAuth ? _client.Cert : null, KeyFile: _clientCertAuth ? _client.Key : null);

    /// <summary>Runs etcdctl against this member with its client credentials (bounded; fails on a non-zero exit).</summary>
    public string Ctl(params string[] args)
    {
        var tls = _pki is null ? [] : new[] { "--cacert", _pki.CaFile }.Concat(_clientCertAuth ? ["--cert", _client.Cert, "--key", _client.Key] : []);
        var psi = new ProcessStartInfo("etcdctl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["--endpoints", ClientUrl, .. tls, .. args]) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(30_000)) { p.Kill(); throw new TimeoutException($"etcdctl {string.Join(' ', args)} ran over 30 s"); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"etcdctl {string.Join(' ', args)} failed ({p.ExitCode}): {stderr.Result.Trim()}");
        return stdout.Result;
    }
    public string DataDir => Path.Combine(_dir, "data");
    public int? Pid => _process is { HasExited: false } p ? p.Id : null;

    public static async Task<EtcdProcess> StartNewAsync(TestPki? pki = null, bool clientCertAuth = false)
    {
        var e = new EtcdProcess(pki, clientCertAuth);
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
        if (_pki is not null)
            foreach (var a in new[] { "--cert-file", _server.Cert, "--key-file", _server.Key }
                         .Concat(_clientCertAuth ? ["--client-cert-auth", "--trusted-ca-file", _pki.CaFile] : []))
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
        await using var probe = EtcdStore.Connect(new EtcdStoreOptions([ClientUrl], CallTimeout: TimeSpan.FromSeconds(1), Security: ClientSecurity));
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
