using System.Runtime.InteropServices;
using System.Text;

namespace Infra.DBus.Transport;

/// <summary>
/// The client side of the D-Bus SASL handshake with the EXTERNAL mechanism: the server checks our
/// uid through the socket's peer credentials, we only claim it (as hex of its decimal digits).
/// Pure line logic lives here; <see cref="Client.DBusConnection"/> moves the bytes.
/// </summary>
public static class SaslExternal
{
    public enum ReplyKind { Ok, Rejected, AgreeUnixFd, Error, Data, Unknown }

    public readonly record struct Reply(ReplyKind Kind, string Argument);

    /// <summary>"AUTH EXTERNAL 30" for uid 0: the uid's decimal digits, hex-encoded.</summary>
    public static string AuthCommand(uint uid) => "AUTH EXTERNAL " + Convert.ToHexString(Encoding.ASCII.GetBytes(uid.ToString())).ToLowerInvariant();

    public const string NegotiateUnixFd = "NEGOTIATE_UNIX_FD";
    public const string Begin = "BEGIN";

    public static Reply Parse(string line)
    {
        int sp = line.IndexOf(' ');
        string cmd = sp < 0 ? line : line[..sp];
        string arg = sp < 0 ? "" : line[(sp + 1)..];
        return cmd switch
        {
            "OK" => new Reply(ReplyKind.Ok, arg),
            "REJECTED" => new Reply(ReplyKind.Rejected, arg),
            "AGREE_UNIX_FD" => new Reply(ReplyKind.AgreeUnixFd, arg),
            "ERROR" => new Reply(ReplyKind.Error, arg),
            "DATA" => new Reply(ReplyKind.Data, arg),
            _ => new Reply(ReplyKind.Unknown, line),
        };
    }

    /// <summary>The effective uid of this process, the identity EXTERNAL claims.</summary>
    public static uint CurrentUid() => geteuid();

    [DllImport("libc", SetLastError = false)]
    static extern uint geteuid();
}
