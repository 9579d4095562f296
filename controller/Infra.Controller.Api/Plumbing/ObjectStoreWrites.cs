using Google.Protobuf;
using Infra.Controller.Domain.Errors;
using Infra.Controller.Model.Store;
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

/// <summary>
/// The API's transactions over the shared <see cref="ObjectStore"/>: reads that answer NOT_FOUND, creates
/// with their name and request_id index keys, guarded updates and deletes. They throw gRPC statuses
/// (<see cref="ApiErrors"/>), which is why they live at the API edge and not with the store.
/// </summary>
public static class ObjectStoreWrites
{
    /// <summary>The object, or NOT_FOUND when it is missing or outside the caller's <paramref name="scope"/>.</summary>
    public static async Task<Stored<T>> RequireAsync<T>(this ObjectStore store, ObjectKind<T> kind, string id, TenantScope scope, CancellationToken ct) where T : IMessage<T> =>
        scope.Check(kind, await store.GetAsync(kind, id, ct).ConfigureAwait(false) ?? throw ApiErrors.NotFound(kind.Noun, id), id);

    /// <summary>As <see cref="RequireAsync{T}"/> for an object the call is about to change or delete
    /// (a tenant may not change an object of no tenant).</summary>
    public static async Task<Stored<T>> RequireToChangeAsync<T>(this ObjectStore store, ObjectKind<T> kind, string id, TenantScope scope, CancellationToken ct) where T : IMessage<T> =>
        scope.CheckChange(kind, await store.GetAsync(kind, id, ct).ConfigureAwait(false) ?? throw ApiErrors.NotFound(kind.Noun, id), id);

    /// <summary>The object a request_id already created, or null when this request is new.</summary>
    public static async Task<T?> ReplayAsync<T>(this ObjectStore store, ObjectKind<T> kind, string scope, string method, string? requestId, CancellationToken ct)
        where T : class, IMessage<T>
    {
        if (string.IsNullOrEmpty(requestId)) return null;
        var id = await store.GetStringAsync(StoreLayout.Request(scope, method, requestId), ct).ConfigureAwait(false);
        if (id is null) return null;
        // The object may be gone since (deleted): a retry then answers NOT_FOUND rather than creating it again.
        return (await store.GetAsync(kind, id, ct).ConfigureAwait(false))?.Value ?? throw ApiErrors.NotFound(kind.Noun, id);
    }

    /// <summary>
    /// Writes a new object with its name and request_id index keys in one transaction. When the
    /// transaction fails it finds out why: a concurrent retry with the same request_id (the caller
    /// gets that object and must undo its own allocations), a name taken (ALREADY_EXISTS), or one of
    /// the plan's own compares (ABORTED: something the request depends on changed meanwhile).
    /// </summary>
    public static async Task<(T Value, CreateOutcome Outcome)> CreateAsync<T>(this ObjectStore store, ObjectKind<T> kind, T value, CreatePlan plan, CancellationToken ct)
        where T : class, IMessage<T>
    {
        var meta = kind.Meta(value);
        var now = store.Now();
        meta.CreateTime = now;
        meta.UpdateTime = now;
        var compares = new List<Compare> { Compare.Absent(kind.Key(meta.Id)) };
        var ops = new List<RequestOp> { ObjectStore.Put(kind, value) };
        string? nameKey = string.IsNullOrEmpty(plan.Name) ? null : StoreLayout.Name(kind.Segment, plan.Scope, plan.Name);
        string? requestKey = string.IsNullOrEmpty(plan.RequestId) ? null : StoreLayout.Request(plan.Scope, plan.Method, plan.RequestId);
        if (nameKey is not null) { compares.Add(Compare.Absent(nameKey)); ops.Add(ObjectStore.PutString(nameKey, meta.Id)); }
        if (requestKey is not null) { compares.Add(Compare.Absent(requestKey)); ops.Add(ObjectStore.PutString(requestKey, meta.Id)); }
        compares.AddRange(plan.Compares);
        ops.AddRange(plan.Ops);
        var r = await store.TxnAsync(compares, ops, ct).ConfigureAwait(false);
        if (r.Succeeded)
        {
            meta.Revision = r.Header.Revision;
            return (value, CreateOutcome.Created);
        }
        if (await store.ReplayAsync(kind, plan.Scope, plan.Method, plan.RequestId, ct).ConfigureAwait(false) is { } first)
            return (first, CreateOutcome.Replayed);
        if (nameKey is not null && await store.GetStringAsync(nameKey, ct).ConfigureAwait(false) is { } holder)
            throw ApiErrors.Of(new AlreadyExists(kind.Noun, plan.Name!, holder));
        throw ApiErrors.Contended($"creating {kind.Noun} {plan.Name ?? meta.Id}");
    }

    /// <summary>
    /// Read-modify-write of one object guarded by its mod revision. <paramref name="mutate"/> changes
    /// the copy it gets and may add compares and ops that must commit with it; it may throw an
    /// RpcException to refuse. Outside the caller's <paramref name="scope"/> it is NOT_FOUND. With expected_revision set a lost race is ABORTED; without it the
    /// write is retried on the new state.
    /// </summary>
    public static async Task<T> UpdateAsync<T>(this ObjectStore store, ObjectKind<T> kind, string id, long? expectedRevision, TenantScope scope,
        Func<Stored<T>, T, CreatePlanOps, Task> mutate, CancellationToken ct) where T : class, IMessage<T>
    {
        for (var attempt = 0; attempt < ObjectStore.MaxAttempts; attempt++)
        {
            var current = await store.RequireToChangeAsync(kind, id, scope, ct).ConfigureAwait(false);
            if (Revisions.Check(kind.Noun, id, expectedRevision, current.ModRevision) is { } aborted) throw ApiErrors.Of(aborted);
            var next = current.Value.Clone();
            var extra = new CreatePlanOps();
            await mutate(current, next, extra).ConfigureAwait(false);
            kind.Meta(next).UpdateTime = store.Now();
            var compares = new List<Compare> { ObjectStore.Unchanged(kind, current) };
            compares.AddRange(extra.Compares);
            var ops = new List<RequestOp> { ObjectStore.Put(kind, next) };
            ops.AddRange(extra.Ops);
            var r = await store.TxnAsync(compares, ops, ct).ConfigureAwait(false);
            if (r.Succeeded)
            {
                kind.Meta(next).Revision = r.Header.Revision;
                return next;
            }
        }
        throw ApiErrors.Contended($"updating {kind.Noun} {id}");
    }

    /// <summary>Deletes an object read at <paramref name="current"/> together with the plan's ops; null when it changed meanwhile.</summary>
    public static async Task<long?> TryDeleteAsync<T>(this ObjectStore store, ObjectKind<T> kind, Stored<T> current, CreatePlanOps extra, CancellationToken ct)
        where T : IMessage<T>
    {
        var compares = new List<Compare> { ObjectStore.Unchanged(kind, current) };
        compares.AddRange(extra.Compares);
        var ops = new List<RequestOp> { ObjectStore.Delete(kind.Key(kind.Meta(current.Value).Id)) };
        ops.AddRange(extra.Ops);
        var r = await store.TxnAsync(compares, ops, ct).ConfigureAwait(false);
        return r.Succeeded ? r.Header.Revision : null;
    }
}

/// <summary>Extra compares and ops that commit together with an update or delete.</summary>
public sealed class CreatePlanOps
{
    public List<Compare> Compares { get; } = [];
    public List<RequestOp> Ops { get; } = [];
}
