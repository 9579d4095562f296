using Infra.Controller.Domain.Model;

namespace Infra.Controller.Domain.Commands;

public sealed record CreateTenant(string? RequestId, string Name, Labels Labels);
public sealed record GetTenant(string Id);
public sealed record ListTenants(Page Page, Labels LabelSelector);
public sealed record UpdateTenant(string Id, Labels Labels, long? ExpectedRevision);
public sealed record DeleteTenant(string Id);
