using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Infra.Ovsdb.Tests.Integration;

/// <summary>
/// A private ovsdb-server on a fresh vswitch database in a temp dir, listening on a unix socket and
/// on a loopback TCP port. Kill/Start simulate a server crash and restart on the same database.
/// Everything is removed on Dispose, the process by its PID.
/// </summary>
public sealed class OvsdbServerFixture : IDisposable
{
    public const string VswitchSchema = "/usr/share/openvswitch/vswitch.ovsschema";
    private Process? _server;

    public string Dir { get; } = Directory.CreateTempSubdirectory("infra-ovsdb-").FullName;
    public string DbPath => Path.Combine(Dir, "conf.db");
    public string SocketPath => Path.Combine(Dir, "db.sock");
    public string UnixEndpoint => $"unix:{SocketPath}";
    public int TcpPort { get; }
    public string TcpEndpoint => $"tcp:127.0.0.1:{TcpPort}";

    public OvsdbServerFixture()
    {
        TcpPort = FreePort();
        Run("ovsdb-tool", "create", DbPath, VswitchSchema);
        Start();
    }

    public void Start()
    {
        var psi = new ProcessStartInfo("ovsdb-server",
            $"-vconsole:off --no-chdir --log-file={Dir}/db.log --remote=punix:{SocketPath} --remote=ptcp:{TcpPort}:127.0.0.1 " +
            $"--unixctl={Dir}/db.ctl {DbPath}") { RedirectStandardError = true, RedirectStandardOutput = true };
        _server = Process.Start(psi)!;
        for (var i = 0; i < 100 && !File.Exists(SocketPath); i++) Thread.Sleep(50);
        if (!File.Exists(SocketPath)) throw new InvalidOperationException($"ovsdb-server did not create {SocketPath}; see {Dir}/db.log");
    }

    /// <summary>SIGKILL, as in a crash: no goodbye on the wire.</summary>
    public void Kill()
    {
        if (_server is null) return;
        try { _server.Kill(); _server.WaitForExit(5000); } catch (InvalidOperationException) { }
        _server.Dispose();
        _server = null;
        File.Delete(SocketPath);
    }

    public static string Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        var err = p.StandardError.ReadToEnd();
        if (!p.WaitForExit(30000)) { p.Kill(); throw new TimeoutException($"{file} {string.Join(' ', args)} timed out"); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({p.ExitCode}): {err}");
        return output;
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        Kill();
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}
