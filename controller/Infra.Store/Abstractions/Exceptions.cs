namespace Infra.Store;

/// <summary>Base of the store's typed failures; the gRPC edge maps each to a status.</summary>
public abstract class StoreException(string message) : Exception(message);

/// <summary>The requested revision was compacted away; re-read the current state and watch from there.</summary>
public sealed class CompactedException(long requested, long compactRevision)
    : StoreException($"revision {requested} has been compacted (compact revision {compactRevision}); " +
                     "read the current state and watch from its revision + 1")
{
    public long CompactRevision { get; } = compactRevision;
}

public sealed class FutureRevisionException(long requested, long current)
    : StoreException($"revision {requested} is in the future (current revision {current})");

public sealed class LeaseNotFoundException(long id)
    : StoreException($"lease {id:x} not found (expired or revoked); grant a new lease")
{
    public long LeaseId { get; } = id;
}

/// <summary>A request that etcd would reject as malformed (e.g. the same key written twice in one txn).</summary>
public sealed class InvalidStoreRequestException(string message) : StoreException(message);
