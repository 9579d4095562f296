using System.CommandLine;
using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Infra.Ctl.Cli;
using Infra.Ctl.Errors;
using Infra.Ctl.Output;
using Infra.V1;
using Command = System.CommandLine.Command;

namespace Infra.Ctl.Commands;

/// <summary>infractl credential create|list|revoke: API credentials that operators issue (admins only).
/// The token is printed once, by create; the controller keeps only a hash of its secret.</summary>
public static class CredentialCommands
{
    public static Command Build(CommandKit kit)
    {
        var noun = new Command("credential", "API credentials: bearer tokens acting as admin or as a tenant's member or reader; admins only");

        var label = new Option<string>("--label", "-l") { Description = "Whose it is (a person, a pipeline); 1-200 characters", Required = true };
        var tenant = Opt.Tenant(false);
        tenant.Description = "Issue a tenant credential for this tenant id (without it: an admin credential)";
        var role = new Option<string>("--role") { Description = "Role of a tenant credential: member (default) or reader" };
        role.AcceptOnlyFromAmong("member", "reader");
        var expires = new Option<string>("--expires") { Description = "When it stops working: a duration from now (30d, 12h) or RFC 3339 (2027-01-01T00:00:00Z); default never" };
        noun.Subcommands.Add(kit.Unary(new Command("create", "Issue a credential and print its token (shown only this once)") { label, tenant, role, expires },
            (c, r, o) => c.Credentials.CreateCredentialAsync(r, o),
            (p, _) =>
            {
                var t = p.GetValue(tenant);
                var ro = p.GetValue(role);
                if (t is null && ro is not null) throw new UsageException("--role is for tenant credentials; give --tenant too");
                return new CreateCredentialRequest
                {
                    Label = p.GetValue(label)!,
                    Kind = t is null ? CredentialKind.Admin : CredentialKind.Tenant,
                    TenantId = t ?? "",
                    Role = ro switch { "reader" => CredentialRole.Reader, "member" => CredentialRole.Member, _ => CredentialRole.Unspecified },
                    ExpiresAt = p.GetValue(expires) is { } e ? Timestamp.FromDateTimeOffset(Until(e, "--expires", kit.Now())) : null,
                };
            },
            (r, w) =>
            {
                Render.Credentials([r.Credential], w);
                w.WriteLine();
                w.WriteLine($"token: {r.Token}");
                w.WriteLine("Store this token now: it is not shown again (the controller keeps only its hash).");
                w.WriteLine("Use it with --token or INFRA_TOKEN; revoke it with: infractl credential revoke " + r.Credential.Id);
            }));

        var ltenant = Opt.Tenant(false); var size = Opt.PageSize(); var token = Opt.PageToken();
        noun.Subcommands.Add(kit.Unary(new Command("list", "List credentials, revoked and expired ones included (never their secrets)") { ltenant, size, token },
            (c, r, o) => c.Credentials.ListCredentialsAsync(r, o),
            (p, _) => new ListCredentialsRequest { TenantId = p.GetValue(ltenant) ?? "", Page = Opt.Page(p, size, token) },
            (r, w) => { Render.Credentials(r.Credentials, w); Opt.MorePages(r.Page, w); }));

        var id = Opt.Id("credential");
        noun.Subcommands.Add(kit.Unary(new Command("revoke", "Revoke a credential: calls with its token fail from now on") { id },
            (c, r, o) => c.Credentials.RevokeCredentialAsync(r, o),
            (p, _) => new RevokeCredentialRequest { Id = p.GetValue(id)! },
            (r, w) => Render.Credentials([r], w)));
        return noun;
    }

    /// <summary>A point in the future: an RFC 3339 timestamp, or a duration from now ("30d" for days, else as --timeout: 90s, 30m, 12h).</summary>
    public static DateTimeOffset Until(string text, string flag, DateTimeOffset now)
    {
        var t = text.Trim();
        if (t.Contains('T') || t.Count(c => c == '-') >= 2)
        {
            if (DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)) return at.ToUniversalTime();
            throw new UsageException($"{flag} '{text}' is not a time like 2027-01-01T00:00:00Z or a duration like 30d or 12h");
        }
        if (t.EndsWith('d') && double.TryParse(t[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var days) && days > 0 && days <= 36500)
            return now + TimeSpan.FromDays(days);
        return now + Durations.Parse(t, flag);
    }
}
