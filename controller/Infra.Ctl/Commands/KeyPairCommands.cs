using System.CommandLine;
using Infra.Ctl.Cli;
using Infra.Ctl.Errors;
using Infra.Ctl.Output;
using Infra.V1;
using Command = System.CommandLine.Command;

namespace Infra.Ctl.Commands;

/// <summary>infractl keypair create|show|list|delete</summary>
public static class KeyPairCommands
{
    public static Command Build(CommandKit kit)
    {
        var noun = new Command("keypair", "Key pairs: a tenant's SSH public keys, delivered to guests on the config drive");

        var tenant = Opt.Tenant(true); var name = Opt.Name(true, "key pair"); var labels = Opt.Labels();
        var file = new Option<string>("--public-key-file") { Description = "File with the public key (e.g. ~/.ssh/id_ed25519.pub)" };
        var text = new Option<string>("--public-key") { Description = "The public key itself: \"ssh-ed25519 AAAA... comment\"" };
        noun.Subcommands.Add(kit.Unary(new Command("create", "Register an SSH public key") { tenant, name, file, text, labels }, (c, r, o) => c.KeyPairs.CreateKeyPairAsync(r, o),
            (p, rc) =>
            {
                var f = p.GetValue(file); var t = p.GetValue(text);
                if ((f is null) == (t is null)) throw new UsageException("give exactly one of --public-key-file or --public-key");
                if (f is not null)
                {
                    try { t = File.ReadAllText(f); }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new UsageException($"--public-key-file: cannot read {f}: {e.Message}"); }
                }
                return new CreateKeyPairRequest { RequestId = rc.RequestId, TenantId = p.GetValue(tenant)!, Name = p.GetValue(name)!, PublicKey = t!, Labels = { Specs.Labels(p.GetValue(labels)) } };
            },
            (r, w) => Render.KeyPairs([r], w)));

        var id = Opt.Id("key pair");
        var show = new Command("show", "Show one key pair (with its public key)") { id };
        show.Aliases.Add("get");
        noun.Subcommands.Add(kit.Unary(show, (c, r, o) => c.KeyPairs.GetKeyPairAsync(r, o),
            (p, _) => new GetKeyPairRequest { Id = p.GetValue(id)! }, (r, w) => { Render.KeyPairs([r], w); w.WriteLine(r.PublicKey); }));

        var ltenant = Opt.Tenant(false); var size = Opt.PageSize(); var token = Opt.PageToken();
        noun.Subcommands.Add(kit.Unary(new Command("list", "List key pairs (of one tenant with --tenant)") { ltenant, size, token }, (c, r, o) => c.KeyPairs.ListKeyPairsAsync(r, o),
            (p, _) => new ListKeyPairsRequest { TenantId = p.GetValue(ltenant) ?? "", Page = Opt.Page(p, size, token) },
            (r, w) => { Render.KeyPairs(r.KeyPairs, w); Opt.MorePages(r.Page, w); }));

        var did = Opt.Id("key pair");
        noun.Subcommands.Add(kit.Unary(new Command("delete", "Delete a key pair (no instance may use it)") { did }, (c, r, o) => c.KeyPairs.DeleteKeyPairAsync(r, o),
            (p, _) => new DeleteKeyPairRequest { Id = p.GetValue(did)! }, (q, r, w) => Render.Deleted("key pair", q.Id, r.Revision, w)));
        return noun;
    }
}
