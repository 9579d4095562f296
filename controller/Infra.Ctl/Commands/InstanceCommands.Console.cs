using System.CommandLine;
using Infra.Ctl.Cli;
using Infra.Ctl.Errors;
using Infra.V1;
using Command = System.CommandLine.Command;

namespace Infra.Ctl.Commands;

/// <summary>infractl instance console|log: the serial console, live and as kept on the host.</summary>
public static partial class InstanceCommands
{
    static Command Log(CommandKit kit)
    {
        var id = Opt.Id("instance");
        var tail = new Option<uint>("--tail") { Description = "KiB from the end of the log (default 64, at most 1024)" };
        var cmd = new Command("log", "Print the last output of an instance's serial console (kept on its host, also while it is stopped)") { id, tail };
        return kit.Custom(cmd, (p, _) => BuildLog(p.GetValue(id)!, p.GetValue(tail)), async s =>
        {
            var request = BuildLog(s.Parse.GetValue(id)!, s.Parse.GetValue(tail));
            var r = await s.Transport.UnaryAsync(Instances.GetConsoleLogMethod, request, s.Call());
            if (s.Format == OutputFormat.Json) { s.Out.WriteLine(Output.Json.Format(r)); return ExitCodes.Ok; }
            // The bytes as the guest wrote them (line ends, escapes and all), like a terminal would have shown them.
            await using var stdout = s.Host.OpenStdout();
            r.Data.WriteTo(stdout);
            await stdout.FlushAsync(s.CancellationToken);
            return ExitCodes.Ok;
        }, Instances.GetConsoleLogMethod.FullName);
    }

    public static GetConsoleLogRequest BuildLog(string id, uint tailKib)
    {
        if (tailKib > 1024) throw new UsageException($"--tail {tailKib} is more than 1024 KiB, the most one call returns");
        return new GetConsoleLogRequest { InstanceId = id, TailBytes = tailKib * 1024 };
    }

    static Command Console(CommandKit kit)
    {
        var id = Opt.Id("instance");
        var readOnly = new Option<bool>("--read-only") { Description = "Only watch: never send input (stdin is not read, except for the detach key)" };
        var takeover = new Option<bool>("--takeover") { Description = "Take input over from the session that writes now (it turns read-only)" };
        var tail = new Option<uint>("--tail") { Description = "First show this many KiB of recent output (at most 64; default none)" };
        var linger = new Option<string>("--linger") { Description = "When stdin is not a terminal: after it ends, keep printing output until none came for this long (default 1s)" };
        var cmd = new Command("console", $"Attach to an instance's serial console. Interactive: the terminal is raw and {ConsoleAttach.DetachKeyName} detaches; " +
            "piped: stdin is sent, output printed, and it ends after stdin ends (see --linger) or at --timeout") { id, readOnly, takeover, tail, linger };
        return kit.Custom(cmd, (p, _) => BuildConsole(p.GetValue(id)!, p.GetValue(readOnly), p.GetValue(takeover), p.GetValue(tail)), s =>
        {
            var open = BuildConsole(s.Parse.GetValue(id)!, s.Parse.GetValue(readOnly), s.Parse.GetValue(takeover), s.Parse.GetValue(tail));
            var quiet = s.Parse.GetValue(linger) is { } l ? Durations.Parse(l, "--linger") : TimeSpan.FromSeconds(1);
            return new ConsoleAttach(s, open, quiet).RunAsync();
        }, Instances.ConsoleMethod.FullName);
    }

    public static ConsoleRequest BuildConsole(string id, bool readOnly, bool takeover, uint tailKib)
    {
        if (readOnly && takeover) throw new UsageException("--read-only and --takeover exclude each other");
        if (tailKib > 64) throw new UsageException($"--tail {tailKib} is more than 64 KiB; use 'infractl instance log {id} --tail {tailKib}' for more");
        var access = readOnly ? ConsoleAccess.ReadOnly : takeover ? ConsoleAccess.Takeover : ConsoleAccess.Write;
        return new ConsoleRequest { Open = new ConsoleOpen { InstanceId = id, Access = access, TailBytes = tailKib * 1024 } };
    }
}
