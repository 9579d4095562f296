using Infra.Controller.Domain.Commands;
using Infra.Controller.Domain.Errors;
using Infra.Controller.Domain.Model;
using Infra.V1;
using ResourceKind = Infra.Controller.Domain.Model.ResourceKind;

namespace Infra.Controller.Domain.Validation;

/// <summary>Parses WatchRequest.</summary>
public static class WatchValidation
{
    public static ValidationResult<StartWatch> Validate(WatchRequest r)
    {
        var v = new Violations();
        if (r.StartRevision < 0)
            v.Add("start_revision", $"must be 0 (current state, then changes) or a revision from a previous event; got {r.StartRevision}");
        var kinds = new List<ResourceKind>();
        for (var i = 0; i < r.Kinds.Count; i++)
        {
            var path = Violations.Index("kinds", i);
            if (!v.Defined(path, r.Kinds[i])) continue;
            if (r.Kinds[i] == Infra.V1.ResourceKind.Unspecified)
            { v.Add(path, "UNSPECIFIED is not a kind; leave kinds empty to follow all kinds"); continue; }
            var kind = (ResourceKind)((int)r.Kinds[i] - 1);
            if (kinds.Contains(kind)) v.Add(path, $"{r.Kinds[i]} is listed twice; list each kind once");
            else kinds.Add(kind);
        }
        var tenant = v.Id("tenant_id", r.TenantId, IdKind.Tenant, required: false);
        return v.Finish(() => new StartWatch(r.StartRevision, [.. kinds], tenant));
    }
}
