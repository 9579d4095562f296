using Grpc.Core;

namespace Infra.Store.Etcd;

/// <summary>etcd could not be reached or refused the call for a reason the store interface has no type for.</summary>
public sealed class EtcdRequestException(StatusCode code, string message)
    : StoreException($"etcd call failed ({code}): {message}")
{
    public StatusCode Code { get; } = code;
}

/// <summary>
/// etcd reports its typed errors as gRPC statuses whose message is the server error's text
/// (api/v3rpc/rpctypes): the text is the stable part, so the mapping matches on it.
/// </summary>
static class EtcdErrors
{
    public const string Compacted = "etcdserver: mvcc: required revision has been compacted";
    public const string FutureRevision = "etcdserver: mvcc: required revision is a future revision";
    public const string LeaseNotFound = "etcdserver: requested lease not found";
    public const string DuplicateKey = "etcdserver: duplicate key given in txn request";

    /// <param name="revision">The revision the request asked for (reported in revision errors).</param>
    /// <param name="lease">The lease the request named (reported in lease errors).</param>
    public static Exception Map(RpcException e, long revision = 0, long lease = 0)
    {
        var detail = e.Status.Detail ?? "";
        if (detail.Contains(Compacted, StringComparison.Ordinal)) return new CompactedException(revision, 0);
        if (detail.Contains(FutureRevision, StringComparison.Ordinal)) return new FutureRevisionException(revision, 0);
        if (detail.Contains(LeaseNotFound, StringComparison.Ordinal)) return new LeaseNotFoundException(lease);
        if (e.StatusCode == StatusCode.InvalidArgument) return new InvalidStoreRequestException(detail);
        return new EtcdRequestException(e.StatusCode, detail.Length > 0 ? detail : e.Message);
    }

    /// <summary>Worth another member: the call did not reach a working server.</summary>
    public static bool IsUnavailable(RpcException e) => e.StatusCode == StatusCode.Unavailable;
}
