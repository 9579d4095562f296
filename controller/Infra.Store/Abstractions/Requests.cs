namespace Infra.Store;

// Request/response records mirror etcd's rpc.proto (RangeRequest, PutRequest, DeleteRangeRequest,
// TxnRequest, Compare, RequestOp, CompactionRequest) with the same field meanings, so a future etcd
// backend is a field-for-field translation. Fields etcd has that the controller has no use for
// (sort order, min/max revision filters, ignore_value) are left out; adding them later is additive.

/// <summary>
/// Range over [Key, RangeEnd). RangeEnd null = the single key Key; <see cref="Keys.AllFrom"/> = every
/// key >= Key. Revision 0 = current; a positive revision reads the store as it was then (fails with
/// <see cref="CompactedException"/> below the compaction point, <see cref="FutureRevisionException"/>
/// above the current revision). Limit 0 = no limit. Results are sorted by key ascending.
/// MinModRevision (etcd min_mod_revision) keeps only keys modified at or after it: "what changed since".
/// </summary>
public sealed record RangeRequest(byte[] Key, byte[]? RangeEnd = null, long Limit = 0, long Revision = 0,
    bool KeysOnly = false, bool CountOnly = false, long MinModRevision = 0)
{
    public static RangeRequest Single(string key, long revision = 0) => new(Keys.Of(key), Revision: revision);
    public static RangeRequest Prefix(string prefix, long limit = 0, long revision = 0) =>
        new(Keys.Of(prefix), Keys.PrefixEnd(prefix), limit, revision);
}

/// <param name="Kvs">Matching keys (at most Limit of them).</param>
/// <param name="More">True when Limit cut off further matches.</param>
/// <param name="Count">Total number of matching keys, ignoring Limit.</param>
public sealed record RangeResponse(ResponseHeader Header, IReadOnlyList<KeyValue> Kvs, bool More, long Count);

/// <summary>Lease 0 = no lease. PrevKv asks for the previous value in the response.</summary>
public sealed record PutRequest(byte[] Key, byte[] Value, long Lease = 0, bool PrevKv = false)
{
    public static PutRequest Of(string key, string value, long lease = 0) =>
        new(Keys.Of(key), System.Text.Encoding.UTF8.GetBytes(value), lease);
}

public sealed record PutResponse(ResponseHeader Header, KeyValue? PrevKv);

public sealed record DeleteRangeRequest(byte[] Key, byte[]? RangeEnd = null, bool PrevKv = false)
{
    public static DeleteRangeRequest Single(string key) => new(Keys.Of(key));
    public static DeleteRangeRequest Prefix(string prefix) => new(Keys.Of(prefix), Keys.PrefixEnd(prefix));
}

public sealed record DeleteRangeResponse(ResponseHeader Header, long Deleted, IReadOnlyList<KeyValue> PrevKvs);

public enum CompareResult { Equal, Greater, Less, NotEqual }

public enum CompareTarget { Version, CreateRevision, ModRevision, Value, Lease }

/// <summary>
/// One guard of a transaction, etcd semantics: the key's field is compared against the operand
/// ("field RESULT operand"). A missing key has Version, CreateRevision, ModRevision and Lease 0, and
/// every Value comparison on a missing key is false. With RangeEnd, every key in range must pass.
/// </summary>
public sealed record Compare(byte[] Key, CompareTarget Target, CompareResult Result, long Number = 0,
    byte[]? Value = null, byte[]? RangeEnd = null)
{
    public static Compare CreateRevision(string key, CompareResult r, long n) => new(Keys.Of(key), CompareTarget.CreateRevision, r, n);
    public static Compare ModRevision(string key, CompareResult r, long n) => new(Keys.Of(key), CompareTarget.ModRevision, r, n);
    public static Compare Version(string key, CompareResult r, long n) => new(Keys.Of(key), CompareTarget.Version, r, n);
    public static Compare ValueIs(string key, CompareResult r, string v) =>
        new(Keys.Of(key), CompareTarget.Value, r, Value: System.Text.Encoding.UTF8.GetBytes(v));
    /// <summary>The key does not exist (etcd's create-if-absent idiom).</summary>
    public static Compare Absent(string key) => CreateRevision(key, CompareResult.Equal, 0);
}

/// <summary>One operation inside a transaction: exactly one of the three is set (etcd RequestOp).</summary>
public sealed record RequestOp(RangeRequest? Range = null, PutRequest? Put = null, DeleteRangeRequest? DeleteRange = null)
{
    public static implicit operator RequestOp(RangeRequest r) => new(Range: r);
    public static implicit operator RequestOp(PutRequest p) => new(Put: p);
    public static implicit operator RequestOp(DeleteRangeRequest d) => new(DeleteRange: d);
}

public sealed record ResponseOp(RangeResponse? Range = null, PutResponse? Put = null, DeleteRangeResponse? DeleteRange = null);

/// <summary>
/// If every Compare holds, Success runs, else Failure; all in one atomic step at one revision.
/// Writes in one transaction share one new revision; a transaction that writes nothing does not
/// advance the revision. Like etcd, a key may be written at most once per transaction.
/// </summary>
public sealed record TxnRequest(IReadOnlyList<Compare> Compare, IReadOnlyList<RequestOp> Success, IReadOnlyList<RequestOp>? Failure = null);

public sealed record TxnResponse(ResponseHeader Header, bool Succeeded, IReadOnlyList<ResponseOp> Responses);

public sealed record CompactResponse(ResponseHeader Header);
