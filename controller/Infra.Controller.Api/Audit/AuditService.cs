using Grpc.Core;
using Infra.Controller.Api.Plumbing;
using Infra.Controller.Domain.Validation;
using Infra.V1;

namespace Infra.Controller.Api.Audit;

/// <summary>Audit.ListAuditRecords: admins read the trail; any other principal is refused, tenants included
/// (records name other tenants' objects and callers).</summary>
public sealed class AuditService(AuditTrail trail) : Infra.V1.Audit.AuditBase
{
    public override async Task<ListAuditRecordsResponse> ListAuditRecords(ListAuditRecordsRequest request, ServerCallContext context)
    {
        var principal = CallPrincipal.Of(context);
        if (!principal.IsAdmin)
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"the audit trail is for admins only; {principal} may not list it (use an admin credential)"));
        var query = ApiErrors.Valid(AuditValidation.Validate(request));
        var (records, page) = await trail.ListAsync(query, context.CancellationToken);
        var response = new ListAuditRecordsResponse { Page = page };
        response.Records.AddRange(records);
        return response;
    }
}
