using System.CommandLine;
using Infra.Ctl.Cli;
namespace Infra.Ctl.Commands;
public static class HostCommands { public static Command Build(CommandKit kit) => new("host"); }
