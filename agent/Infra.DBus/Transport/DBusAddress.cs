using System.Net.Sockets;
using System.Text;

namespace Infra.DBus.Transport;

/// <summary>
/// One entry of a D-Bus server address such as <c>unix:path=/run/dbus/system_bus_socket,guid=…</c>.
/// A full address string may hold several entries separated by ';' — the client tries them in order.
/// </summary>
public sealed record DBusAddress(string Transport, IReadOnlyDictionary<string, string> Keys)
{
    public const string SystemBusDefault = "unix:path=/var/run/dbus/system_bus_socket";

    /// <summary>Parses every entry of an address string; values are percent-decoded.</summary>
    public static IReadOnlyList<DBusAddress> ParseAll(string address)
    {
        var list = new List<DBusAddress>();
        foreach (var entry in address.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            int colon = entry.IndexOf(':');
            if (colon <= 0) throw new FormatException($"D-Bus address entry '{entry}' has no 'transport:' prefix");
            var keys = new Dictionary<string, string>();
            foreach (var kv in entry[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                int eq = kv.IndexOf('=');
                if (eq <= 0) throw new FormatException($"D-Bus address entry '{entry}' has a key without '=value': '{kv}'");
                keys[kv[..eq]] = Unescape(kv[(eq + 1)..]);
            }
            list.Add(new DBusAddress(entry[..colon], keys));
        }
        if (list.Count == 0) throw new FormatException("empty D-Bus address");
        return list;
    }

    /// <summary>The system bus address: $DBUS_SYSTEM_BUS_ADDRESS or the well-known socket.</summary>
    public static string SystemBus() => Environment.GetEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS") is { Length: > 0 } a ? a : SystemBusDefault;

    public static string ForUnixPath(string path) => "unix:path=" + Escape(path);

    /// <summary>The socket endpoint for a unix entry; abstract names get the leading NUL Linux expects.</summary>
    public UnixDomainSocketEndPoint ToEndPoint()
    {
        if (Transport != "unix") throw new NotSupportedException($"D-Bus transport '{Transport}' is not supported; use a unix: address");
        if (Keys.TryGetValue("path", out var path)) return new UnixDomainSocketEndPoint(path);
        if (Keys.TryGetValue("abstract", out var name)) return new UnixDomainSocketEndPoint("\0" + name);
        throw new FormatException("a unix: D-Bus address needs path= or abstract= to connect to");
    }

    public string? Guid => Keys.TryGetValue("guid", out var g) ? g : null;

    static string Unescape(string s)
    {
        if (!s.Contains('%')) return s;
        var bytes = new List<byte>();
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '%')
            {
                if (i + 2 >= s.Length) throw new FormatException($"truncated %-escape in D-Bus address value '{s}'");
                bytes.Add(Convert.ToByte(s.Substring(i + 1, 2), 16));
                i += 2;
            }
            else bytes.AddRange(Encoding.UTF8.GetBytes(s[i].ToString()));
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    static string Escape(string s)
    {
        var sb = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(s))
        {
            char c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || "-_/.\\*".Contains(c)) sb.Append(c);
            else sb.Append('%').Append(b.ToString("x2"));
        }
        return sb.ToString();
    }
}
