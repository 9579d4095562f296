using Infra.Controller.Domain.Model;

namespace Infra.Controller.Domain.Commands;

/// <summary>Audit filters; null means "any". Outcome is canonical (AuditOutcome.ParseFilter); Until is exclusive.</summary>
public sealed record ListAuditRecords(string? Principal, string? Method, string? ObjectId, DateTimeOffset? Since, DateTimeOffset? Until,
    string? Outcome, Page Page);
