namespace Infra.DBus.Client;

/// <summary>Names of the message bus itself and the standard error names this library raises.</summary>
public static class BusNames
{
    public const string Daemon = "org.freedesktop.DBus";
    public const string DaemonPath = "/org/freedesktop/DBus";
    public const string DaemonInterface = "org.freedesktop.DBus";
    public const string PropertiesInterface = "org.freedesktop.DBus.Properties";
    public const string PeerInterface = "org.freedesktop.DBus.Peer";

    public const string ErrorFailed = "org.freedesktop.DBus.Error.Failed";
    public const string ErrorUnknownObject = "org.freedesktop.DBus.Error.UnknownObject";
    public const string ErrorUnknownMethod = "org.freedesktop.DBus.Error.UnknownMethod";
    public const string ErrorNameHasNoOwner = "org.freedesktop.DBus.Error.NameHasNoOwner";
    public const string ErrorServiceUnknown = "org.freedesktop.DBus.Error.ServiceUnknown";
}

/// <summary>Result codes of org.freedesktop.DBus.RequestName.</summary>
public enum RequestNameReply : uint { PrimaryOwner = 1, InQueue = 2, Exists = 3, AlreadyOwner = 4 }

[Flags]
public enum RequestNameFlags : uint { None = 0, AllowReplacement = 1, ReplaceExisting = 2, DoNotQueue = 4 }
