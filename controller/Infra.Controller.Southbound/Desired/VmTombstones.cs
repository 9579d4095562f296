using System.Globalization;
using System.Text;
using Infra.Store;
using Infra.V1;

namespace Infra.Controller.Southbound.Desired;

/// <summary>
/// Pure: the tombstone an instance's deletion (or its move to another host) leaves for the host that
/// ran it, and the VmSpec that carries it. The agent never removes a VM because it vanished from its
/// desired state (a stale or empty controller would otherwise wipe a host); a tombstone is the one
/// explicit order to do so, kept in the host's desired state until the agent reports the VM deleted.
/// </summary>
public static class VmTombstones
{
    /// <summary>The put that records the order (same transaction as the deletion or move); null when the instance has no host.</summary>
    public static PutRequest? Put(string hostId, string instanceId, DateTimeOffset now)
    {
        if (hostId.Length == 0 || instanceId.Length == 0) return null;
        return new PutRequest(Keys.Of(StoreLayout.VmTombstone(hostId, instanceId)),
            Encoding.UTF8.GetBytes(now.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)));
    }

    /// <summary>The desired-state form: only the id, with deleted set.</summary>
    public static VmSpec SpecOf(string instanceId) => new() { Id = instanceId, Deleted = true };

    /// <summary>
    /// Deletes a host's tombstone once its agent reported the VM deleted, guarded so that a late or
    /// repeated report is a no-op rather than a write (and a watch event) of its own.
    /// </summary>
    public static TxnRequest Forget(string hostId, string instanceId)
    {
        var key = StoreLayout.VmTombstone(hostId, instanceId);
        return new TxnRequest([Compare.Version(key, CompareResult.Greater, 0)], [DeleteRangeRequest.Single(key)]);
    }
}
