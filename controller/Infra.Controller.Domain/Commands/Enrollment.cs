namespace Infra.Controller.Domain.Commands;

/// <param name="HostId">Empty: the token enrolls any host id.</param>
public sealed record CreateJoinToken(TimeSpan Ttl, string HostId, bool Cordoned, string Description);
public sealed record ListJoinTokens;
public sealed record RevokeJoinToken(string Id);
/// <param name="TokenId">The public part of "jt_&lt;id&gt;_&lt;secret&gt;".</param>
public sealed record Enroll(string TokenId, string TokenSecret, string HostId, ReadOnlyMemory<byte> Csr);
public sealed record Renew(ReadOnlyMemory<byte> Csr);
public sealed record RevokeHost(string HostId);
