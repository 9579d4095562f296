using System.CommandLine;
using Infra.Ctl.Cli;
namespace Infra.Ctl.Commands;
public static class PortCommands { public static Command Build(CommandKit kit) => new("port"); }
