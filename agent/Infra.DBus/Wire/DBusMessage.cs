namespace Infra.DBus.Wire;

public enum MessageType : byte { MethodCall = 1, MethodReturn = 2, Error = 3, Signal = 4 }

[Flags]
public enum MessageFlags : byte
{
    None = 0,
    NoReplyExpected = 0x1,
    NoAutoStart = 0x2,
    AllowInteractiveAuthorization = 0x4,
}

/// <summary>
/// One D-Bus message: header fields plus a body already unmarshalled against <see cref="Signature"/>.
/// The serial is assigned by the connection when the message is sent (0 until then).
/// </summary>
public sealed record DBusMessage
{
    public MessageType Type { get; init; }
    public MessageFlags Flags { get; init; }
    public uint Serial { get; init; }
    public uint? ReplySerial { get; init; }
    public string? Path { get; init; }
    public string? Interface { get; init; }
    public string? Member { get; init; }
    public string? ErrorName { get; init; }
    public string? Destination { get; init; }
    public string? Sender { get; init; }
    public string Signature { get; init; } = "";
    public IReadOnlyList<object> Body { get; init; } = Array.Empty<object>();
    public uint UnixFds { get; init; }

    public static DBusMessage MethodCall(string? destination, string path, string? iface, string member,
        string signature = "", params object[] body) => new()
    {
        Type = MessageType.MethodCall, Destination = destination, Path = path, Interface = iface,
        Member = member, Signature = signature, Body = Args(body),
    };

    public static DBusMessage Signal(string path, string iface, string member, string signature = "", params object[] body) => new()
    {
        Type = MessageType.Signal, Path = path, Interface = iface, Member = member, Signature = signature, Body = Args(body),
    };

    /// <summary>A method return answering <paramref name="call"/>, addressed back to its sender.</summary>
    public static DBusMessage ReplyTo(DBusMessage call, string signature = "", params object[] body) => new()
    {
        Type = MessageType.MethodReturn, ReplySerial = call.Serial, Destination = call.Sender,
        Signature = signature, Body = Args(body), Flags = MessageFlags.NoReplyExpected,
    };

    public static DBusMessage ErrorTo(DBusMessage call, string errorName, string text) => new()
    {
        Type = MessageType.Error, ReplySerial = call.Serial, Destination = call.Sender, ErrorName = errorName,
        Signature = "s", Body = new object[] { text }, Flags = MessageFlags.NoReplyExpected,
    };

    // C# passes a lone string[] (or any reference-type array) as the params array itself, spreading
    // its elements into separate arguments. A real object[] is the params array; any other array is one value.
    static object[] Args(object[] body) => body.GetType() == typeof(object[]) ? body : new object[] { body };

    /// <summary>The error text of an error message: its first body string, if any.</summary>
    public string ErrorText => Body.Count > 0 && Body[0] is string s ? s : "";

    public override string ToString() =>
        $"{Type} #{Serial}{(ReplySerial is { } r ? $" re #{r}" : "")} {Path} {Interface}.{Member}{ErrorName} ({Signature})";
}
