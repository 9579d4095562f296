using Google.Protobuf;
using Infra.Controller.Domain.Errors;
using Infra.Store;

namespace Infra.Controller.Api.Plumbing;

/// <summary>What a create needs besides the object: its uniqueness scope, name, idempotency key, and
/// the index keys and other objects that change with it.</summary>
public sealed class CreatePlan
{
    public required string Scope { get; init; }
    public required string Method { get; init; }
    public string? Name { get; init; }
    public string? RequestId { get; init; }
    public List<Compare> Compares { get; } = [];
    public List<RequestOp> Ops { get; } = [];
}

public enum CreateOutcome { Created, Replayed }

public sealed partial class ObjectStore
{
    /// <summary>
    /// Writes a new object with its name and request_id index keys in one transaction. When the
    /// transaction fails it finds out why: a concurrent retry with the same request_id (the caller
    /// gets that object and must undo its own allocations), a name taken (ALREADY_EXISTS), or one of
    /// the plan's own compares (ABORTED: something the request depends on changed meanwhile).
    /// </summary>
    public async Task<(T Value, CreateOutcome Outcome)> CreateAsync<T>(ObjectKind<T> kind, T value, CreatePlan plan, CancellationToken ct)
        where T : class, IMessage<T>
    {
        var meta = kind.Meta(value);
        var now = Now();
        meta.CreateTime = now;
        meta.UpdateTime = now;
        var compares = new List<Compare> { Compare.Absent(kind.Key(meta.Id)) };
        var ops = new List<RequestOp> { Put(kind, value) };
        string? nameKey = string.IsNullOrEmpty(plan.Name) ? null : StoreLayout.Name(kind.Segment, plan.Scope, plan.Name);
        string? requestKey = string.IsNullOrEmpty(plan.RequestId) ? null : StoreLayout.Request(plan.Scope, plan.Method, plan.RequestId);
        if (nameKey is not null) { compares.Add(Compare.Absent(nameKey)); ops.Add(PutString(nameKey, meta.Id)); }
        if (requestKey is not null) { compares.Add(Compare.Absent(requestKey)); ops.Add(PutString(requestKey, meta.Id)); }
        compares.AddRange(plan.Compares);
        ops.AddRange(plan.Ops);
        var r = await TxnAsync(compares, ops, ct).ConfigureAwait(false);
        if (r.Succeeded)
        {
            meta.Revision = r.Header.Revision;
            return (value, CreateOutcome.Created);
        }
        if (await ReplayAsync(kind, plan.Scope, plan.Method, plan.RequestId, ct).ConfigureAwait(false) is { } first)
            return (first, CreateOutcome.Replayed);
        if (nameKey is not null && await GetStringAsync(nameKey, ct).ConfigureAwait(false) is { } holder)
            throw ApiErrors.Of(new AlreadyExists(kind.Noun, plan.Name!, holder));
        throw ApiErrors.Contended($"creating {kind.Noun} {plan.Name ?? meta.Id}");
    }

    /// <summary>
    /// Read-modify-write of one object guarded by its mod revision. <paramref name="mutate"/> changes
    /// the copy it gets and may add compares and ops that must commit with it; it may throw an
    /// RpcException to refuse. With expected_revision set a lost race is ABORTED; without it the
    /// write is retried on the new state.
    /// </summary>
    public async Task<T> UpdateAsync<T>(ObjectKind<T> kind, string id, long? expectedRevision,
        Func<Stored<T>, T, CreatePlanOps, Task> mutate, CancellationToken ct) where T : class, IMessage<T>
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var current = await RequireAsync(kind, id, ct).ConfigureAwait(false);
            if (Revisions.Check(kind.Noun, id, expectedRevision, current.ModRevision) is { } aborted) throw ApiErrors.Of(aborted);
            var next = current.Value.Clone();
            var extra = new CreatePlanOps();
            await mutate(current, next, extra).ConfigureAwait(false);
            kind.Meta(next).UpdateTime = Now();
            var compares = new List<Compare> { Unchanged(kind, current) };
            compares.AddRange(extra.Compares);
            var ops = new List<RequestOp> { Put(kind, next) };
            ops.AddRange(extra.Ops);
            var r = await TxnAsync(compares, ops, ct).ConfigureAwait(false);
            if (r.Succeeded)
            {
                kind.Meta(next).Revision = r.Header.Revision;
                return next;
            }
        }
        throw ApiErrors.Contended($"updating {kind.Noun} {id}");
    }

    /// <summary>Deletes an object read at <paramref name="current"/> together with the plan's ops; null when it changed meanwhile.</summary>
    public async Task<long?> TryDeleteAsync<T>(ObjectKind<T> kind, Stored<T> current, CreatePlanOps extra, CancellationToken ct)
        where T : IMessage<T>
    {
        var compares = new List<Compare> { Unchanged(kind, current) };
        compares.AddRange(extra.Compares);
        var ops = new List<RequestOp> { Delete(kind.Key(kind.Meta(current.Value).Id)) };
        ops.AddRange(extra.Ops);
        var r = await TxnAsync(compares, ops, ct).ConfigureAwait(false);
        return r.Succeeded ? r.Header.Revision : null;
    }
}

/// <summary>Extra compares and ops that commit together with an update or delete.</summary>
public sealed class CreatePlanOps
{
    public List<Compare> Compares { get; } = [];
    public List<RequestOp> Ops { get; } = [];
}
