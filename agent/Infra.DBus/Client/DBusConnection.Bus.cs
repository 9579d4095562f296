using Infra.DBus.Wire;

namespace Infra.DBus.Client;

/// <summary>Typed calls on the message bus itself (org.freedesktop.DBus).</summary>
public sealed partial class DBusConnection
{
    Task<IReadOnlyList<object>> Bus(string member, string sig, object[] args, CancellationToken ct) =>
        CallMethodAsync(BusNames.Daemon, BusNames.DaemonPath, BusNames.DaemonInterface, member, sig, args, null, ct);

    public async Task<IReadOnlyList<string>> ListNamesAsync(CancellationToken ct = default) =>
        ((object[])(await Bus("ListNames", "", [], ct))[0]).Cast<string>().ToArray();

    /// <summary>Unique name owning <paramref name="name"/>; throws DBusErrorException NameHasNoOwner when nobody does.</summary>
    public async Task<string> GetNameOwnerAsync(string name, CancellationToken ct = default) =>
        (string)(await Bus("GetNameOwner", "s", [name], ct))[0];

    public async Task<RequestNameReply> RequestNameAsync(string name, RequestNameFlags flags = RequestNameFlags.DoNotQueue, CancellationToken ct = default) =>
        (RequestNameReply)(uint)(await Bus("RequestName", "su", [name, (uint)flags], ct))[0];

    public async Task<uint> ReleaseNameAsync(string name, CancellationToken ct = default) =>
        (uint)(await Bus("ReleaseName", "s", [name], ct))[0];
}
