using System.Collections.Immutable;
using Infra.Controller.Domain.Model;

namespace Infra.Controller.Domain.Commands;

/// <summary>Kinds empty means all kinds; StartRevision 0 means "current state first, then changes".</summary>
public sealed record StartWatch(long StartRevision, ImmutableArray<ResourceKind> Kinds, string? TenantId);
