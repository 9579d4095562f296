using Google.Protobuf;
using Rpc = Infra.Store.Etcd.Rpc;
using Mvcc = Infra.Store.Etcd.Mvcc;

namespace Infra.Store.Etcd;

/// <summary>
/// Field-for-field translation between the store's records and etcd's messages. Pure: no I/O, so
/// every mapping is tested without a server.
/// </summary>
static class EtcdConvert
{
    static ByteString Bytes(byte[]? b) => b is null || b.Length == 0 ? ByteString.Empty : ByteString.CopyFrom(b);

    public static Rpc.RangeRequest ToRpc(RangeRequest r) => new()
    {
        Key = Bytes(r.Key),
        RangeEnd = Bytes(r.RangeEnd),
        Limit = r.Limit,
        Revision = r.Revision,
        KeysOnly = r.KeysOnly,
        CountOnly = r.CountOnly,
        MinModRevision = r.MinModRevision,
    };

    public static Rpc.PutRequest ToRpc(PutRequest p) => new() { Key = Bytes(p.Key), Value = Bytes(p.Value), Lease = p.Lease, PrevKv = p.PrevKv };

    public static Rpc.DeleteRangeRequest ToRpc(DeleteRangeRequest d) => new() { Key = Bytes(d.Key), RangeEnd = Bytes(d.RangeEnd), PrevKv = d.PrevKv };

    public static Rpc.Compare ToRpc(Compare c)
    {
        var m = new Rpc.Compare
        {
            Key = Bytes(c.Key),
            RangeEnd = Bytes(c.RangeEnd),
            Result = c.Result switch
            {
                CompareResult.Equal => Rpc.Compare.Types.CompareResult.Equal,
                CompareResult.Greater => Rpc.Compare.Types.CompareResult.Greater,
                CompareResult.Less => Rpc.Compare.Types.CompareResult.Less,
                CompareResult.NotEqual => Rpc.Compare.Types.CompareResult.NotEqual,
                _ => throw new ArgumentOutOfRangeException(nameof(c), c.Result, "unknown compare result"),
            },
        };
        // The oneof member set must match the target: etcd reads the operand from it.
        switch (c.Target)
        {
            case CompareTarget.Version: m.Target = Rpc.Compare.Types.CompareTarget.Version; m.Version = c.Number; break;
            case CompareTarget.CreateRevision: m.Target = Rpc.Compare.Types.CompareTarget.Create; m.CreateRevision = c.Number; break;
            case CompareTarget.ModRevision: m.Target = Rpc.Compare.Types.CompareTarget.Mod; m.ModRevision = c.Number; break;
            case CompareTarget.Value: m.Target = Rpc.Compare.Types.CompareTarget.Value; m.Value = Bytes(c.Value); break;
            case CompareTarget.Lease: m.Target = Rpc.Compare.Types.CompareTarget.Lease; m.Lease = c.Number; break;
            default: throw new ArgumentOutOfRangeException(nameof(c), c.Target, "unknown compare target");
        }
        return m;
    }

    public static Rpc.RequestOp ToRpc(RequestOp op) =>
        op.Range is { } r ? new Rpc.RequestOp { RequestRange = ToRpc(r) }
        : op.Put is { } p ? new Rpc.RequestOp { RequestPut = ToRpc(p) }
        : op.DeleteRange is { } d ? new Rpc.RequestOp { RequestDeleteRange = ToRpc(d) }
        : throw new InvalidStoreRequestException("a txn op must set one of Range, Put or DeleteRange");

    public static Rpc.TxnRequest ToRpc(TxnRequest t)
    {
        var m = new Rpc.TxnRequest();
        m.Compare.AddRange(t.Compare.Select(ToRpc));
        m.Success.AddRange(t.Success.Select(ToRpc));
        if (t.Failure is { } f) m.Failure.AddRange(f.Select(ToRpc));
        return m;
    }

    public static Rpc.WatchCreateRequest ToRpc(WatchRequest w, long watchId, long startRevision) => new()
    {
        Key = Bytes(w.Key),
        RangeEnd = Bytes(w.RangeEnd),
        StartRevision = startRevision,
        PrevKv = w.PrevKv,
        ProgressNotify = true,
        WatchId = watchId,
    };

    public static ResponseHeader Header(Rpc.ResponseHeader? h) => new(h?.Revision ?? 0);

    public static KeyValue FromRpc(Mvcc.KeyValue kv) =>
        new(kv.Key.ToByteArray(), kv.Value.ToByteArray(), kv.CreateRevision, kv.ModRevision, kv.Version, kv.Lease);

    public static RangeResponse FromRpc(Rpc.RangeResponse r) =>
        new(Header(r.Header), r.Kvs.Select(FromRpc).ToArray(), r.More, r.Count);

    public static PutResponse FromRpc(Rpc.PutResponse r) =>
        new(Header(r.Header), r.PrevKv is { } kv ? FromRpc(kv) : null);

    public static DeleteRangeResponse FromRpc(Rpc.DeleteRangeResponse r) =>
        new(Header(r.Header), r.Deleted, r.PrevKvs.Select(FromRpc).ToArray());

    public static ResponseOp FromRpc(Rpc.ResponseOp r) => r.ResponseCase switch
    {
        Rpc.ResponseOp.ResponseOneofCase.ResponseRange => new ResponseOp(Range: FromRpc(r.ResponseRange)),
        Rpc.ResponseOp.ResponseOneofCase.ResponsePut => new ResponseOp(Put: FromRpc(r.ResponsePut)),
        Rpc.ResponseOp.ResponseOneofCase.ResponseDeleteRange => new ResponseOp(DeleteRange: FromRpc(r.ResponseDeleteRange)),
        _ => new ResponseOp(),
    };

    public static TxnResponse FromRpc(Rpc.TxnResponse r) =>
        new(Header(r.Header), r.Succeeded, r.Responses.Select(FromRpc).ToArray());

    public static WatchEvent FromRpc(Mvcc.Event e) => new(
        e.Type == Mvcc.Event.Types.EventType.Delete ? EventType.Delete : EventType.Put,
        FromRpc(e.Kv),
        e.PrevKv is { } p ? FromRpc(p) : null);

    /// <summary>
    /// One response per revision, in order, each with its revision as header revision: etcd sends a
    /// watcher's catch-up from history as a single response spanning many revisions.
    /// </summary>
    public static IEnumerable<WatchResponse> ByRevision(IEnumerable<Mvcc.Event> events)
    {
        var group = new List<WatchEvent>();
        foreach (var e in events.Select(FromRpc))
        {
            if (group.Count > 0 && group[0].Kv.ModRevision != e.Kv.ModRevision)
            {
                yield return new WatchResponse(new ResponseHeader(group[0].Kv.ModRevision), group.ToArray());
                group.Clear();
            }
            group.Add(e);
        }
        if (group.Count > 0) yield return new WatchResponse(new ResponseHeader(group[0].Kv.ModRevision), group.ToArray());
    }

    /// <summary>The lease a request names, for reporting a lease-not-found error (first one in a txn).</summary>
    public static long LeaseOf(TxnRequest t) =>
        t.Success.Concat(t.Failure ?? []).Select(o => o.Put?.Lease ?? 0).FirstOrDefault(l => l != 0);
}
