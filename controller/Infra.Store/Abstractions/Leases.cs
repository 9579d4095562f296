namespace Infra.Store;

/// <summary>Id 0 asks the store to pick one. Ttl in seconds (etcd LeaseGrantRequest).</summary>
public sealed record LeaseGrantRequest(long TtlSeconds, long Id = 0);

public sealed record LeaseGrantResponse(ResponseHeader Header, long Id, long TtlSeconds);

/// <summary>TtlSeconds = remaining time after the refresh (etcd LeaseKeepAliveResponse.TTL).</summary>
public sealed record LeaseKeepAliveResponse(ResponseHeader Header, long Id, long TtlSeconds);

/// <summary>TtlSeconds = remaining; -1 when the lease does not exist (etcd LeaseTimeToLiveResponse).</summary>
public sealed record LeaseTimeToLiveResponse(ResponseHeader Header, long Id, long TtlSeconds, long GrantedTtlSeconds,
    IReadOnlyList<byte[]> Keys);
