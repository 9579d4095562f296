using System.CommandLine;
using Google.Protobuf;
using Infra.Ctl.Errors;

namespace Infra.Ctl;

/// <summary>
/// The whole CLI as a function: arguments and writers in, exit code out. Program.cs calls it with the
/// console; tests and the end-to-end session call it in-process.
/// </summary>
public static class CtlRunner
{
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct = default) =>
        RunAsync(args, new CtlHost(stdout, stderr), ct);

    public static async Task<int> RunAsync(string[] args, CtlHost host, CancellationToken ct = default)
    {
        var app = new CtlApp(host);
        var parse = app.Root.Parse(args);
        var config = new InvocationConfiguration { Output = host.Out, Error = host.Err, EnableDefaultExceptionHandler = false };
        // Directives ([suggest:N]) run whatever the rest of the line looks like: it is usually half-typed.
        var isDirective = args.Length > 0 && args[0].StartsWith('[');
        if (parse.Errors.Count > 0 && !isDirective)
        {
            foreach (var e in parse.Errors) host.Err.WriteLine($"error: {e.Message}");
            host.Err.WriteLine($"run '{CommandPath(parse)} --help' for usage");
            return ExitCodes.Usage;
        }
        try
        {
            return await parse.InvokeAsync(config, ct);
        }
        catch (Exception e)
        {
            host.Err.WriteLine($"error: unexpected {e.GetType().Name}: {ErrorReporter.OneLine(e.Message)}");
            return ExitCodes.Unexpected;
        }
    }

    /// <summary>Parses a command line and returns the request its command would send, without sending it.</summary>
    public static IMessage BuildRequest(string[] args, CtlHost host)
    {
        var app = new CtlApp(host);
        var parse = app.Root.Parse(args);
        if (parse.Errors.Count > 0) throw new UsageException(string.Join("; ", parse.Errors.Select(e => e.Message)));
        if (!app.Kit.Builders.TryGetValue(parse.CommandResult.Command, out var build))
            throw new InvalidOperationException($"'{parse.CommandResult.Command.Name}' sends no single request");
        return build(parse, app.Kit.Context(parse));
    }

    static string CommandPath(ParseResult p)
    {
        var names = new List<string>();
        for (var r = p.CommandResult; r is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
            names.Insert(0, r.Command is RootCommand ? "infractl" : r.Command.Name);
        return string.Join(' ', names);
    }
}
