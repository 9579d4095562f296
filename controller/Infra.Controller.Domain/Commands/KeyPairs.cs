using Infra.Controller.Domain.Model;

namespace Infra.Controller.Domain.Commands;

public sealed record CreateKeyPair(string? RequestId, string TenantId, string Name, SshPublicKey PublicKey, Labels Labels);
public sealed record GetKeyPair(string Id);
public sealed record ListKeyPairs(string? TenantId, Page Page);
public sealed record DeleteKeyPair(string Id);
