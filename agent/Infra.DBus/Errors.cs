namespace Infra.DBus;

/// <summary>Base of every failure this library raises, so callers can catch D-Bus trouble in one place.</summary>
public class DBusException : Exception
{
    public DBusException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>The peer answered a method call with an error message (type 3).</summary>
public class DBusErrorException : DBusException
{
    public DBusErrorException(string errorName, string errorMessage)
        : base($"{errorName}: {errorMessage}")
    {
        ErrorName = errorName;
        ErrorMessage = errorMessage;
    }

    /// <summary>The D-Bus error name, e.g. <c>org.freedesktop.systemd1.NoSuchUnit</c>.</summary>
    public string ErrorName { get; }

    /// <summary>The human readable text the peer sent (first body string), empty if none.</summary>
    public string ErrorMessage { get; }
}

/// <summary>Bytes on the wire broke the D-Bus specification; the connection cannot continue.</summary>
public sealed class DBusProtocolException : DBusException
{
    public DBusProtocolException(string message) : base(message) { }
}

/// <summary>The SASL handshake was refused or spoke nonsense.</summary>
public sealed class DBusAuthenticationException : DBusException
{
    public DBusAuthenticationException(string message) : base(message) { }
}

/// <summary>The connection closed (or was disposed) while the call was pending or before it was sent.</summary>
public sealed class DBusConnectionClosedException : DBusException
{
    public DBusConnectionClosedException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>No reply arrived within the call's timeout.</summary>
public sealed class DBusTimeoutException : DBusException
{
    public DBusTimeoutException(string message) : base(message) { }
}
