using Google.Protobuf.WellKnownTypes;
using Infra.Controller.Southbound.Cluster;
using Infra.Store;
using Infra.V1;

namespace Infra.Controller.Southbound.Session;

/// <summary>
/// The agent-owned fields of Host objects. An agent owns its inventory, liveness and applied
/// version; operators own cordon, overcommit and labels, which every write here keeps as it is.
/// </summary>
public sealed class HostRecords(IKeyValueStore store, TimeProvider time)
{
    Timestamp Now => Timestamp.FromDateTimeOffset(time.GetUtcNow());

    /// <summary>Create or refresh the host on Hello: inventory, UP, heartbeat now.</summary>
    public Task<Host?> RegisterAsync(Hello hello, CancellationToken ct) =>
        ObjectStore.ChangeAsync(store, Kinds.Host, hello.HostId, h =>
        {
            var now = Now;
            h ??= new Host { Meta = new ObjectMeta { Id = hello.HostId, CreateTime = now } };
            h.Meta ??= new ObjectMeta { Id = hello.HostId, CreateTime = now };
            if (h.Meta.Name.Length == 0) h.Meta.Name = hello.Inventory.Hostname;
            h.Meta.UpdateTime = now;
            h.Inventory = hello.Inventory.Clone();
            // A host an operator put in maintenance stays there until they take it out.
            if (h.State != HostState.Maintenance) h.State = HostState.Up;
            h.LastHeartbeat = now;
            return h;
        }, ct);

    /// <summary>A heartbeat proves the host alive: SUSPECT or DOWN hosts come back UP.</summary>
    public Task<Host?> HeartbeatAsync(string hostId, CancellationToken ct) =>
        ObjectStore.ChangeAsync(store, Kinds.Host, hostId, h =>
        {
            if (h is null) return null;
            h.LastHeartbeat = Now;
            if (h.State is HostState.Suspect or HostState.Down) h.State = HostState.Up;
            return h;
        }, ct);

    public Task<Host?> AckAsync(string hostId, ulong version, CancellationToken ct) =>
        ObjectStore.ChangeAsync(store, Kinds.Host, hostId, h =>
        {
            if (h is null || h.AppliedVersion >= version) return null;
            h.AppliedVersion = version;
            return h;
        }, ct);
}
