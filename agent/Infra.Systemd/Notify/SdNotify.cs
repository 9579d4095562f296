using System.Net.Sockets;
using System.Text;

namespace Infra.Systemd.Notify;

/// <summary>
/// Only the controller still uses this: the agent is hosted on Microsoft.Extensions.Hosting.Systemd
/// (its notifier sends READY/STOPPING/STATUS, <see cref="WatchdogPet"/> the keep-alives). Delete this
/// file and its tests when the controller's hosting moves to the library too.
/// sd_notify(3) without libsystemd: one datagram of "KEY=value\n" lines to $NOTIFY_SOCKET. systemd
/// learns the sender from kernel credentials, so nothing else is sent. When the variable is unset
/// (not under systemd, or Type= is not notify) every call is a no-op that returns false.
/// </summary>
public sealed class SdNotify : IDisposable
{
    readonly string? _socketPath;
    readonly Socket? _socket;

    public SdNotify(string? notifySocket)
    {
        _socketPath = ParseSocket(notifySocket);
        if (_socketPath is not null) _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    }

    /// <summary>Reads $NOTIFY_SOCKET. Pass <paramref name="unsetEnvironment"/> so children do not inherit it (as sd_notify's unset_environment).</summary>
    public static SdNotify FromEnvironment(bool unsetEnvironment = false)
    {
        var n = new SdNotify(Environment.GetEnvironmentVariable("NOTIFY_SOCKET"));
        if (unsetEnvironment) Environment.SetEnvironmentVariable("NOTIFY_SOCKET", null);
        return n;
    }

    public bool IsEnabled => _socket is not null;

    /// <summary>Socket path to connect to: "@name" means the abstract namespace (leading NUL); other paths must be absolute.</summary>
    public static string? ParseSocket(string? value)
    {
        if (string.IsNullOrEmpty(value)) return null;
        if (value[0] == '@') return "\0" + value[1..];
        if (value[0] == '/') return value;
        throw new ArgumentException($"NOTIFY_SOCKET '{value}' is neither an absolute path nor '@abstract'; vsock addresses are not supported");
    }

    /// <summary>The datagram for a set of assignments, validated: keys are upper-case, values hold no newline.</summary>
    public static byte[] Format(IEnumerable<KeyValuePair<string, string>> assignments)
    {
        var sb = new StringBuilder();
        foreach (var (key, value) in assignments)
        {
            if (key.Length == 0 || key.Any(c => !(char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '_')))
                throw new ArgumentException($"sd_notify key '{key}' must be upper-case letters, digits and '_'");
            if (value.Contains('\n')) throw new ArgumentException($"sd_notify value for {key} must not contain a newline");
            sb.Append(key).Append('=').Append(value).Append('\n');
        }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>Sends raw state lines ("READY=1\nSTATUS=x"); false when notification is disabled.</summary>
    public bool Send(string state)
    {
        if (_socket is null) return false;
        _socket.SendTo(Encoding.UTF8.GetBytes(state), new UnixDomainSocketEndPoint(_socketPath!));
        return true;
    }

    public bool Send(params (string Key, string Value)[] assignments) =>
        _socket is not null && Send(Encoding.UTF8.GetString(Format(assignments.Select(a => KeyValuePair.Create(a.Key, a.Value)))));

    public bool Ready(string? status = null) => status is null ? Send(("READY", "1")) : Send(("READY", "1"), ("STATUS", status));
    public bool Status(string status) => Send(("STATUS", status));
    public bool Watchdog() => Send(("WATCHDOG", "1"));
    public bool Stopping() => Send(("STOPPING", "1"));
    public bool Reloading() => Send(("RELOADING", "1"));

    public void Dispose() => _socket?.Dispose();
}
