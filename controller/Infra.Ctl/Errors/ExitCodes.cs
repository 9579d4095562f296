namespace Infra.Ctl.Errors;

/// <summary>Exit codes scripts can rely on; the README documents the same table.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Unexpected = 1;
    public const int Usage = 2;
    public const int InvalidArgument = 3;
    public const int NotFound = 4;
    public const int AlreadyExists = 5;
    public const int Conflict = 6;
    public const int Unauthorized = 7;
    public const int Unavailable = 8;
}

/// <summary>A command line that parsed but makes no sense (bad subnet spec, conflicting flags): exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>A local failure with a clear message and a chosen exit code (checksum mismatch, unreadable file).</summary>
public sealed class CtlException(string message, int exitCode = ExitCodes.Unexpected) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
