using System.CommandLine;
using Infra.Ctl.Cli;
using Infra.Ctl.Output;
using Infra.V1;
using Command = System.CommandLine.Command;

namespace Infra.Ctl.Commands;

/// <summary>infractl enrollment create-token|list-tokens|revoke-token|revoke-host: how hosts join (admins only).</summary>
public static class EnrollmentCommands
{
    public static Command Build(CommandKit kit)
    {
        var noun = new Command("enrollment", "Join tokens and host certificates: how hosts join the cluster on mutual TLS (admins only)");

        var host = new Option<string>("--host-id") { Description = "Only this host id may use the token (also the only way to re-enroll a revoked host)" };
        var ttl = new Option<string>("--ttl") { Description = "How long the token is accepted (30m, 2h; default 1h, at most 7 days)" };
        var uncordoned = new Option<bool>("--uncordoned") { Description = "Let the host join uncordoned (default: it joins cordoned)" };
        var description = new Option<string>("--description") { Description = "Free text for other operators" };
        noun.Subcommands.Add(kit.Unary(new Command("create-token", "Create a single-use join token; give the printed token to the host's agent (controller.join_token_file)")
            { host, ttl, uncordoned, description }, (c, r, o) => c.Enrollment.CreateJoinTokenAsync(r, o),
            (p, _) => new CreateJoinTokenRequest
            {
                HostId = p.GetValue(host) ?? "", Uncordoned = p.GetValue(uncordoned), Description = p.GetValue(description) ?? "",
                TtlSeconds = p.GetValue(ttl) is { } t ? (uint)Math.Ceiling(Durations.Parse(t, "--ttl").TotalSeconds) : 0,
            },
            (r, w) => { Render.JoinTokens([r.JoinToken], w); w.WriteLine(); w.WriteLine("token (shown once): " + r.Token); }));

        noun.Subcommands.Add(kit.Unary(new Command("list-tokens", "List join tokens (never their secrets)"), (c, r, o) => c.Enrollment.ListJoinTokensAsync(r, o),
            (_, _) => new ListJoinTokensRequest(), (r, w) => Render.JoinTokens(r.JoinTokens, w)));

        var tid = Opt.Id("join token");
        noun.Subcommands.Add(kit.Unary(new Command("revoke-token", "Revoke an unused join token") { tid }, (c, r, o) => c.Enrollment.RevokeJoinTokenAsync(r, o),
            (p, _) => new RevokeJoinTokenRequest { Id = p.GetValue(tid)! }, (r, w) => Render.JoinTokens([r], w)));

        var hid = Opt.Id("host");
        noun.Subcommands.Add(kit.Unary(new Command("revoke-host", "Revoke a host: its session ends now and its certificate is refused") { hid },
            (c, r, o) => c.Enrollment.RevokeHostAsync(r, o), (p, _) => new RevokeHostRequest { HostId = p.GetValue(hid)! },
            (r, w) => w.WriteLine($"host {r.HostId} revoked at {r.RevokeTime?.ToDateTimeOffset():yyyy-MM-dd'T'HH:mm:ss'Z'}")));
        return noun;
    }
}
