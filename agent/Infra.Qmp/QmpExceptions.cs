namespace Infra.Qmp;

/// <summary>Base of every failure this library reports.</summary>
public class QmpException : Exception
{
    public QmpException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>The server answered a command with an error object.</summary>
public sealed class QmpCommandException(string command, string errorClass, string desc)
    : QmpException($"QMP command '{command}' failed: {errorClass}: {desc}")
{
    public string Command { get; } = command;
    public string ErrorClass { get; } = errorClass;
    public string Desc { get; } = desc;
}

/// <summary>The connection closed (peer exit, socket error, Dispose) before a reply arrived.</summary>
public sealed class QmpConnectionClosedException(string message, Exception? inner = null) : QmpException(message, inner);

/// <summary>No reply within the call's timeout. The connection stays usable; a late reply is dropped.</summary>
public sealed class QmpTimeoutException(string command, TimeSpan timeout)
    : QmpException($"QMP command '{command}' got no reply within {timeout.TotalSeconds:0.###} s; is the process stopped or hung?")
{
    public string Command { get; } = command;
    public TimeSpan Timeout { get; } = timeout;
}

/// <summary>The peer sent bytes that are not QMP (bad JSON, oversized frame, missing greeting).</summary>
public sealed class QmpProtocolException(string message, Exception? inner = null) : QmpException(message, inner);
