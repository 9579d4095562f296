using Infra.Controller.Api.Plumbing;
using Infra.Controller.Model.Store;
using Infra.Controller.Api.Services;
using Infra.V1;

namespace Infra.Controller.Api.Commands;

/// <summary>Where a volume's bytes live: its own host (local volumes), else the host of the instance it is attached to.</summary>
public static class VolumeHosts
{
    public static async Task<string> OfAsync(ObjectStore store, Volume v, CancellationToken ct)
    {
        if (v.HostId.Length > 0) return v.HostId;
        if (v.AttachedInstanceId.Length > 0 && await store.GetAsync(Kinds.Instance, v.AttachedInstanceId, ct) is { } i) return i.Value.HostId;
        return "";
    }

    public static global::Grpc.Core.RpcException Unplaced(string volumeId, string what) =>
        ApiErrors.Precondition("VOLUME_NOT_ON_A_HOST", volumeId,
            $"volume {volumeId} is not on any host yet (no host_id and not attached to a placed instance), so there is nothing to {what}; attach it to an instance first");
}
