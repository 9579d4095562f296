using Infra.Controller.Api.Plumbing;
using Infra.Controller.Model.Store;
using Infra.Controller.Api.Services;
using Infra.Controller.Domain.Errors;
using Grpc.Core;
using Infra.Store;
using Infra.V1;

namespace Infra.Controller.Api.Commands;

/// <summary>What to snapshot where: the records (already written CREATING) and the command that fills them.</summary>
public sealed record SnapshotJob(string CommandId, string HostId, string InstanceId, IReadOnlyList<Snapshot> Snapshots,
    bool RequireQuiesce, string? RequestKey, string Subject);

/// <summary>
/// Runs a snapshot on its host and settles the records. Records are written CREATING before the
/// command is sent (their ids are the command's snapshot ids, so a retry is idempotent on the agent),
/// then:
/// - the agent took it: AVAILABLE, with quiesced and the size the agent reports;
/// - the agent refused (CommandResult.error): the outcome is definite, so the records, their index
///   keys and the request_id key are removed and the caller gets FAILED_PRECONDITION with the reason;
/// - the outcome is unknown (host disconnected, deadline): the records stay CREATING; a retry with the
///   same request_id sends the same ids again and settles them, DeleteSnapshot removes them.
/// </summary>
public sealed class SnapshotTaker(ObjectStore store, AgentCalls agents)
{
    public async Task<SnapshotInstanceResponse> RunAsync(SnapshotJob job, ServerCallContext context)
    {
        var command = new Command { Id = job.CommandId, Snapshot = new SnapshotCommand { InstanceId = job.InstanceId, RequireQuiesce = job.RequireQuiesce } };
        foreach (var s in job.Snapshots)
        {
            command.Snapshot.VolumeIds.Add(s.VolumeId);
            command.Snapshot.SnapshotIds.Add(s.Meta.Id);
        }
        var result = await agents.RunOnceAsync(job.HostId, command, context);
        if (result.Error.Length > 0)
        {
            await RemoveAsync(job, CancellationToken.None);
            throw ApiErrors.Of(AgentFailure.Snapshot(job.Subject, job.HostId, result.Error, job.RequireQuiesce));
        }
        return await SettleAsync(job, result.Snapshot ?? new SnapshotInstanceResponse(), context.CancellationToken);
    }

    async Task<SnapshotInstanceResponse> SettleAsync(SnapshotJob job, SnapshotInstanceResponse taken, CancellationToken ct)
    {
        var byId = taken.Snapshots.ToDictionary(s => s.Meta?.Id ?? "", StringComparer.Ordinal);
        var response = new SnapshotInstanceResponse { Quiesced = taken.Quiesced, FreezeWindowUs = taken.FreezeWindowUs };
        var compares = new List<Compare>();
        var ops = new List<RequestOp>();
        var now = store.Now();
        foreach (var s in job.Snapshots)
        {
            var next = s.Clone();
            next.State = VolumeState.Available;
            next.Quiesced = byId.TryGetValue(s.Meta.Id, out var got) ? got.Quiesced : taken.Quiesced;
            if (got is { SizeBytes: > 0 }) next.SizeBytes = got.SizeBytes;
            next.Meta.UpdateTime = now;
            compares.Add(Compare.Version(Kinds.Snapshot.Key(s.Meta.Id), CompareResult.Greater, 0));
            ops.Add(ObjectStore.Put(Kinds.Snapshot, next));
            response.Snapshots.Add(next);
        }
        var r = await store.TxnAsync(compares, ops, ct);
        if (!r.Succeeded)
            throw new RpcException(new Status(StatusCode.Aborted,
                $"the snapshots of {job.Subject} were taken on host {job.HostId} but their records were deleted meanwhile; delete them on the host or snapshot again"));
        foreach (var s in response.Snapshots) s.Meta.Revision = r.Header.Revision;
        return response;
    }

    async Task RemoveAsync(SnapshotJob job, CancellationToken ct)
    {
        var ops = new List<RequestOp>();
        foreach (var s in job.Snapshots)
        {
            ops.Add(ObjectStore.Delete(Kinds.Snapshot.Key(s.Meta.Id)));
            ops.Add(ObjectStore.Delete(StoreLayout.Owned(s.TenantId, Kinds.Snapshot.Segment, s.Meta.Id)));
            ops.Add(ObjectStore.Delete(StoreLayout.Ref(Kinds.Volume.Segment, s.VolumeId, Kinds.Snapshot.Segment, s.Meta.Id)));
        }
        if (job.RequestKey is not null) ops.Add(ObjectStore.Delete(job.RequestKey));
        await store.TxnAsync([], ops, ct);
    }
}
