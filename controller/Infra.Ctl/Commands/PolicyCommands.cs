using System.CommandLine;
using Infra.Ctl.Cli;
namespace Infra.Ctl.Commands;
public static class PolicyCommands { public static Command Build(CommandKit kit) => new("policy"); }
