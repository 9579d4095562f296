using Infra.Agent.Core.State;
using Infra.Agent.Network.Guests.Responder;
using Infra.V1;

namespace Infra.Agent.Core.Apply;

/// <summary>
/// Hands the snapshot's guest configuration to the host's DHCP/RA responder. Applied after the
/// network (whose pass puts infra-dhcp on br-int); the responder swaps its whole table at once and
/// keeps no leases, so this is a full recompute like every applier.
/// </summary>
public sealed class GuestApplier(GuestResponder responder) : IResourceApplier
{
    /// <inheritdoc/>
    public string Name => "guest-responder";

    /// <inheritdoc/>
    public Task<IReadOnlyList<ResourceError>> ApplyAsync(DesiredSnapshot snapshot, bool periodic, CancellationToken ct)
    {
        var mapped = GuestMapping.ToGuestPorts(snapshot);
        responder.Update(mapped.Value);
        responder.Start();
        return Task.FromResult(mapped.Errors);
    }
}
