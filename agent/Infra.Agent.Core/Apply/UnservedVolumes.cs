using Infra.Agent.Core.State;
using Infra.Agent.Core.Status;
using Infra.V1;

namespace Infra.Agent.Core.Apply;

/// <summary>
/// Volumes in this build: the storage daemons-as-units adapter lives in agent/Infra.Agent.Vm and is
/// not wired into the daemon yet, so every desired volume is nacked and reported ERROR with that
/// reason, rather than acked as if it were served. Replace with the real volume applier.
/// </summary>
public sealed class UnservedVolumes : IResourceApplier, IStatusSource
{
    private const string Why = "volume serving is not wired into this agent build yet (needs agent/Infra.Agent.Vm's storage daemon units)";
    private volatile IReadOnlyList<string> _desired = [];

    /// <inheritdoc/>
    public string Name => "storage";

    /// <inheritdoc/>
    public Task<IReadOnlyList<ResourceError>> ApplyAsync(DesiredSnapshot snapshot, bool periodic, CancellationToken ct)
    {
        var ids = snapshot.OfKind(DesiredKind.Volume).Select(r => r.Volume.Id).ToList();
        _desired = ids;
        return Task.FromResult<IReadOnlyList<ResourceError>>(ids.Select(id => NetworkMapping.Error(DesiredKind.Volume, id, Why)).ToList());
    }

    /// <inheritdoc/>
    public Task CollectAsync(StatusReport report, CancellationToken ct)
    {
        report.Volumes.AddRange(_desired.Select(id => new VolumeStatus { Id = id, State = VolumeState.Error, Reason = Why }));
        return Task.CompletedTask;
    }
}
