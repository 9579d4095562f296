using Google.Protobuf;
using Infra.Store;
using Infra.V1;

namespace Infra.Controller.Southbound.Desired;

/// <summary>
/// Pure: the VolumeSpec a volume is served with, and the tombstone its deletion leaves for the host
/// that holds its files. The agent never deletes data because a volume vanished from its desired
/// state (which may be stale); a purge spec is the one explicit order to do so, kept in the host's
/// desired state (by the tombstone) until the agent reports the volume purged.
/// </summary>
public static class VolumePurge
{
    /// <summary>The spec the builder sends for <paramref name="v"/>.</summary>
    public static VolumeSpec SpecOf(Volume v) => new()
    {
        Id = v.Meta.Id, SizeBytes = v.SizeBytes, Backend = v.Backend?.Clone(),
        BaseImageId = v.SourceImageId, SourceSnapshotId = v.SourceSnapshotId,
    };

    /// <summary>
    /// The host whose files a deleted volume leaves behind: its own host (local volumes), else the
    /// host of the instance it was attached to; empty when none, or for NBD volumes (their data is
    /// not ours to delete).
    /// </summary>
    public static string HostOf(Volume v, string attachedInstanceHost = "")
    {
        if (v.Backend?.KindCase == VolumeBackend.KindOneofCase.Nbd) return "";
        return v.HostId.Length > 0 ? v.HostId : attachedInstanceHost;
    }

    /// <summary>The put that records the purge order; null when no host holds the volume's files.</summary>
    public static PutRequest? Tombstone(Volume v, string attachedInstanceHost = "")
    {
        var host = HostOf(v, attachedInstanceHost);
        if (host.Length == 0) return null;
        var spec = SpecOf(v);
        spec.Purge = true;
        return new PutRequest(Keys.Of(StoreLayout.Purge(host, v.Meta.Id)), spec.ToByteArray());
    }

    /// <summary>
    /// Deletes a host's tombstone once its agent reported the volume purged, guarded so that a late
    /// or repeated report is a no-op rather than a write (and a watch event) of its own.
    /// </summary>
    public static TxnRequest Forget(string hostId, string volumeId)
    {
        var key = StoreLayout.Purge(hostId, volumeId);
        return new TxnRequest([Compare.Version(key, CompareResult.Greater, 0)], [DeleteRangeRequest.Single(key)]);
    }
}
