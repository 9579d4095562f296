using System.Diagnostics;
using Infra.Systemd.Manager;

namespace Infra.DBus.Tests.Fixtures;

/// <summary>
/// A real dbus-daemon on a private socket in a fresh temp directory, with a permissive session-like
/// policy the test writes itself. Killed by PID and its directory removed on Dispose. Also listens
/// on a unique abstract socket so the abstract address form is exercised. <see cref="Restart"/>
/// brings a new daemon up on the same addresses (a bus restart as clients see it).
/// </summary>
public sealed class DBusDaemon : IAsyncDisposable, IDisposable
{
    readonly string _dir;
    readonly string _config;
    Process _process = null!;

    public string Address { get; private set; } = "";
    public string AbstractAddress { get; }
    public string SocketPath { get; }

    public DBusDaemon()
    {
        _dir = Directory.CreateTempSubdirectory("infra-dbus-").FullName;
        SocketPath = Path.Combine(_dir, "bus");
        var abstractName = "infra-dbus-test-" + Guid.NewGuid().ToString("N");
        AbstractAddress = "unix:abstract=" + abstractName;
        _config = Path.Combine(_dir, "bus.conf");
        File.WriteAllText(_config, $"""
            <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
             "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
            <busconfig>
              <type>session</type>
              <listen>unix:path={SocketPath}</listen>
              <listen>unix:abstract={abstractName}</listen>
              <auth>EXTERNAL</auth>
              <policy context="default">
                <allow send_destination="*" eavesdrop="true"/>
                <allow eavesdrop="true"/>
                <allow own="*"/>
              </policy>
              <limit name="max_message_size">67108864</limit>
              <limit name="max_incoming_bytes">134217728</limit>
            </busconfig>
            """);
        Start();
    }

    void Start()
    {
        var psi = new ProcessStartInfo("dbus-daemon", $"--config-file={_config} --nofork --print-address")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = Process.Start(psi) ?? throw new InvalidOperationException("could not start dbus-daemon; install the 'dbus' package");
        var line = _process.StandardOutput.ReadLineAsync();
        if (!line.Wait(TimeSpan.FromSeconds(10)) || string.IsNullOrEmpty(line.Result))
        {
            var err = _process.HasExited ? _process.StandardError.ReadToEnd() : "(no address within 10 s)";
            Dispose();
            throw new InvalidOperationException($"dbus-daemon did not start: {err}");
        }
        // The printed address carries the new daemon's guid; clients connect by path (guid-free) to survive restarts.
        Address = "unix:path=" + SocketPath;
    }

    /// <summary>Our systemd client on this bus, with a short default call timeout.</summary>
    public Task<SystemdManager> ConnectAsync(TimeSpan? callTimeout = null) =>
        SystemdManager.ConnectAsync(new SystemdManagerOptions { Address = Address, CallTimeout = callTimeout ?? TimeSpan.FromSeconds(20) });

    /// <summary>Kills the daemon now (for tests of what clients see when the bus dies).</summary>
    public void Kill()
    {
        try { if (!_process.HasExited) { _process.Kill(); _process.WaitForExit(5000); } }
        catch (InvalidOperationException) { }
    }

    /// <summary>Kills the daemon and starts a new one on the same socket path and abstract name.</summary>
    public void Restart()
    {
        Kill();
        _process.Dispose();
        File.Delete(SocketPath);
        Start();
    }

    public void Dispose()
    {
        Kill();
        _process?.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
