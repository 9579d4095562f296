using Infra.Controller.Api.Commands;
using Infra.Controller.Api.Plumbing;
using Infra.Controller.Model.Store;
using Infra.Controller.Domain.Errors;
using Infra.Controller.Domain.Validation;
using Grpc.Core;
using Infra.V1;

namespace Infra.Controller.Api.Services;

public sealed partial class VolumesService
{
    /// <summary>
    /// Streams a volume (as of a temporary snapshot the agent takes) or a snapshot as RAW, chunk by
    /// chunk as the host's agent sends them, through whichever replica holds the host's session. The
    /// agent may run ahead of this stream by at most its export window; a slow client slows the agent.
    /// chunk_size is validated here (INVALID_ARGUMENT naming it); the window (config) and chunk size are
    /// also clamped where every command enters a session, relayed ones too (Southbound CommandLimits).
    /// </summary>
    public override async Task ExportVolume(ExportVolumeRequest request, IServerStreamWriter<ExportChunk> responseStream, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var cmd = ApiErrors.Valid(SnapshotValidation.Validate(request));
        var scope = TenantScope.Of(context);
        string sourceId, volumeId;
        switch (cmd.Source)
        {
            case Domain.Commands.ExportSource.Snapshot snap:
                var s = (await Store.RequireAsync(Kinds.Snapshot, snap.SnapshotId, scope, ct)).Value;
                if (s.State != VolumeState.Available)
                    throw ApiErrors.Precondition("SNAPSHOT_NOT_AVAILABLE", s.Meta.Id, $"snapshot {s.Meta.Id} is {s.State}, not AVAILABLE; wait for it or take it again");
                (sourceId, volumeId) = (s.Meta.Id, s.VolumeId);
                break;
            case Domain.Commands.ExportSource.Volume vol:
                (sourceId, volumeId) = (vol.VolumeId, vol.VolumeId);
                break;
            default: throw new InvalidOperationException("validated export has a source");
        }
        var volume = (await Store.RequireAsync(Kinds.Volume, volumeId, scope, ct)).Value;
        var host = await VolumeHosts.OfAsync(Store, volume, ct);
        if (host.Length == 0) throw VolumeHosts.Unplaced(volumeId, "export");
        var command = new Command { Id = AgentCalls.NewId("exp"), Export = new ExportCommand { SourceId = sourceId, ChunkSize = (uint)cmd.ChunkSize, Window = api.Options.ExportWindow } };
        await foreach (var r in Agents.StreamAsync(host, command, context))
        {
            if (r.Error.Length > 0) throw ApiErrors.Of(AgentFailure.Export(sourceId, host, r.Error));
            if (r.Chunk is { } chunk) await responseStream.WriteAsync(chunk, ct);
        }
    }
}
