using System.CommandLine;
using Infra.Ctl.Cli;
using Infra.Ctl.Commands;

namespace Infra.Ctl;

/// <summary>The command tree of one run, built against a host; <see cref="Kit"/> exposes the request builders.</summary>
public sealed class CtlApp
{
    public CtlApp(CtlHost host)
    {
        Globals = new GlobalOptions();
        Kit = new CommandKit(host, Globals);
        Root = new RootCommand("infractl: operate an Infra cluster through its controller's gRPC API");
        foreach (var o in Globals.All) Root.Options.Add(o);
        Root.Subcommands.Add(TenantCommands.Build(Kit));
        Root.Subcommands.Add(NetworkCommands.Build(Kit));
        Root.Subcommands.Add(PolicyCommands.Build(Kit));
        Root.Subcommands.Add(PortCommands.Build(Kit));
        Root.Subcommands.Add(InstanceCommands.Build(Kit));
        Root.Subcommands.Add(VolumeCommands.Build(Kit));
        Root.Subcommands.Add(ImageCommands.Build(Kit));
        Root.Subcommands.Add(HostCommands.Build(Kit));
        Root.Subcommands.Add(KeyPairCommands.Build(Kit));
        Root.Subcommands.Add(WatchCommand.Build(Kit));
        Root.Subcommands.Add(AuditCommands.Build(Kit));
        Root.Subcommands.Add(CredentialCommands.Build(Kit));
        Root.Subcommands.Add(EnrollmentCommands.Build(Kit));
        Root.Subcommands.Add(CompletionCommand.Build(Kit));
    }

    public RootCommand Root { get; }
    public GlobalOptions Globals { get; }
    public CommandKit Kit { get; }
}
