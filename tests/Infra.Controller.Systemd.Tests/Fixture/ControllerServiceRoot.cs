using System.Net;
using System.Net.Sockets;
using Infra.Store.Etcd.Tests.Support;
using Infra.Systemd.Manager;
using Infra.Systemd.Tests.Fixtures;

namespace Infra.Controller.Systemd.Tests.Fixture;

/// <summary>
/// A controller host as an operator sets it up: real systemd booted as PID 1 (see <see cref="SystemdRoot"/>),
/// infra-controller installed as packaging/systemd/infra-controller.service, the unit file copied verbatim;
/// a drop-in changes only ExecStart's path (the build output is bound read-only at /opt/infra-controller).
/// The store is a real etcd started on the host (the root shares the host's network namespace, so the
/// controller dials it on 127.0.0.1): a test can stop it (SIGSTOP by PID) to make the store stop
/// answering without the controller noticing a closed connection. The host's /usr (the .NET runtime)
/// is bound over the root's, read-only. Dispose resumes and kills etcd and kills init (the kernel ends
/// the PID namespace), also after a failed start.
/// </summary>
public sealed class ControllerServiceRoot : IAsyncLifetime
{
    public const string Unit = "infra-controller.service";
    public const string DirInRoot = "/opt/infra-controller";

    public SystemdRoot Root { get; private set; } = null!;
    public SystemdManager Systemd { get; private set; } = null!;
    public EtcdProcess Etcd { get; private set; } = null!;
    public int Port { get; } = FreePort();

    public async Task InitializeAsync()
    {
        Etcd = await EtcdProcess.StartNewAsync();
        Root = await Task.Run(() => new SystemdRoot([("/usr", "/usr"), (BuildDir(), DirInRoot)]));
        var units = HostPath("/etc/systemd/system");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Packaging", Unit), Path.Combine(units, Unit));
        Directory.CreateDirectory(Path.Combine(units, Unit + ".d"));
        AddDropIn("10-test-host-paths", $"""
            # The build output is bound at {DirInRoot}; every other setting is the packaged one.
            [Service]
            ExecStart=
            ExecStart={DirInRoot}/infra-controller --config /etc/infra/controller.yaml
            """);
        Directory.CreateDirectory(HostPath("/etc/infra"));
        File.WriteAllText(HostPath("/etc/infra/controller.yaml"), $"""
            listen: 127.0.0.1:{Port}
            store: etcd:{Etcd.ClientUrl}
            insecure_allow_no_auth: true
            """);
        Systemd = await SystemdManager.ConnectAsync(Root.BusAddress);
    }

    /// <summary>Where a path of the root is on the host.</summary>
    public string HostPath(string pathInRoot) => Root.RootPath + pathInRoot;

    /// <summary>systemctl inside the root; fails with its stderr on a non-zero exit.</summary>
    public string Systemctl(params string[] args) => Root.Exec(["systemctl", .. args]);

    /// <summary>One property as `systemctl show -p NAME --value` prints it.</summary>
    public string Show(string property) => Systemctl("show", "-p", property, "--value", Unit).Trim();

    /// <summary>A numeric property of the service, raw over D-Bus (systemctl would print "30s").</summary>
    public long ShowNumber(string property) => Task.Run(async () =>
    {
        var path = await Systemd.GetUnitAsync(Unit);
        return Convert.ToInt64(await Systemd.GetPropertyAsync(path, SystemdManager.ServiceInterface, property));
    }).GetAwaiter().GetResult();

    /// <summary>A drop-in for the unit (a setting the test needs), then daemon-reload.</summary>
    public void AddDropIn(string name, string content)
    {
        File.WriteAllText(Path.Combine(HostPath($"/etc/systemd/system/{Unit}.d"), name + ".conf"), content);
        Systemctl("daemon-reload");
    }

    public void RemoveDropIn(string name)
    {
        File.Delete(Path.Combine(HostPath($"/etc/systemd/system/{Unit}.d"), name + ".conf"));
        Systemctl("daemon-reload");
    }

    /// <summary>Stops the service and forgets its failures, then starts it (returns once systemd has READY=1).</summary>
    public void StartFresh()
    {
        Systemctl("stop", Unit);
        Systemctl("reset-failed");
        try { Systemctl("start", Unit); }
        catch (InvalidOperationException e) { throw new InvalidOperationException($"{e.Message}\njournal: {Journal()}", e); }
    }

    /// <summary>SIGSTOP (true) or SIGCONT (false) to etcd, by PID: a store that stops answering without closing anything.</summary>
    public void FreezeEtcd(bool frozen) => Cmd.Run("kill", frozen ? "-STOP" : "-CONT", Etcd.Pid!.Value.ToString());

    /// <summary>The last lines of the unit's journal, for failure messages.</summary>
    public string Journal(int lines = 80)
    {
        try { return Root.Exec("journalctl", "--no-pager", "-o", "short-monotonic", "-n", lines.ToString(), "-u", Unit); }
        catch (Exception e) { return $"(journalctl failed: {e.Message})"; }
    }

    /// <summary>The journal entries of one run of the unit (its InvocationID), with MESSAGE and PRIORITY as journald stored them.</summary>
    public IReadOnlyList<(string Message, string? Priority)> JournalOfRun(string invocationId) =>
        Root.Exec("journalctl", "--no-pager", "-o", "json", "-u", Unit).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement)
            .Where(e => Field(e, "_SYSTEMD_INVOCATION_ID") == invocationId || Field(e, "INVOCATION_ID") == invocationId)
            .Select(e => (Field(e, "MESSAGE") ?? "", Field(e, "PRIORITY"))).ToList();

    static string? Field(System.Text.Json.JsonElement entry, string name) =>
        !entry.TryGetProperty(name, out var v) ? null
        : v.ValueKind == System.Text.Json.JsonValueKind.Array ? System.Text.Encoding.UTF8.GetString(v.EnumerateArray().Select(b => (byte)b.GetInt32()).ToArray())
        : v.GetString();

    /// <summary>Polls <paramref name="condition"/> (bounded) and fails with <paramref name="diagnose"/>'s text.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what, Func<string>? diagnose = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"not within {timeout.TotalSeconds} s: {what}. {diagnose?.Invoke()}");
            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync()
    {
        if (Etcd?.Pid is not null) { try { FreezeEtcd(false); } catch (InvalidOperationException) { } }
        if (Systemd is not null) await Systemd.DisposeAsync();
        Root?.Dispose();
        if (Etcd is not null) await Etcd.DisposeAsync();
    }

    static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>controller/Infra.Controller's build output in this test's configuration (a ProjectReference builds it).</summary>
    static string BuildDir()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !Directory.Exists(Path.Combine(d.FullName, "controller", "Infra.Controller"))) d = d.Parent;
        var config = AppContext.BaseDirectory.Contains("/Release/") ? "Release" : "Debug";
        var dir = Path.Combine(d?.FullName ?? throw new DirectoryNotFoundException("repo root above " + AppContext.BaseDirectory),
            "controller", "Infra.Controller", "bin", config, "net10.0");
        return File.Exists(Path.Combine(dir, "infra-controller")) ? dir : throw new FileNotFoundException("build controller/Infra.Controller first", dir);
    }
}
