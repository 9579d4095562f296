using System.CommandLine;
using Google.Protobuf;
using Infra.Ctl.Errors;
using Infra.Ctl.Transport;
using Grpc.Core;

namespace Infra.Ctl.Cli;

/// <summary>
/// Wires commands: each RPC command has a pure builder (ParseResult, RequestContext) -> request, kept in
/// <see cref="Builders"/> so tests can check "command line -> request" without a server, and an action
/// that sends the request and prints the response. Every action runs inside <see cref="RunAsync"/>, the
/// single place that turns failures into one stderr line and an exit code.
/// </summary>
public sealed class CommandKit(CtlHost host, GlobalOptions g)
{
    public Dictionary<Command, Func<ParseResult, RequestContext, IMessage>> Builders { get; } = new();

    public GlobalOptions Globals => g;

    /// <summary>The RPCs ("/infra.v1.Tenants/CreateTenant") some command calls; a test checks none is missing.</summary>
    public HashSet<string> CoveredMethods { get; } = new(StringComparer.Ordinal);

    public Command Unary<TReq, TResp>(Command cmd, Func<ControllerClients, TReq, CallOptions, AsyncUnaryCall<TResp>> call, Func<ParseResult, RequestContext, TReq> build, Action<TResp, TextWriter> table)
        where TReq : class, IMessage<TReq> where TResp : class, IMessage<TResp>
        => Unary(cmd, call, build, (TReq _, TResp r, TextWriter w) => table(r, w));

    /// <summary>As above, for tables that need the request too ("deleted network net-1").</summary>
    public Command Unary<TReq, TResp>(Command cmd, Func<ControllerClients, TReq, CallOptions, AsyncUnaryCall<TResp>> call, Func<ParseResult, RequestContext, TReq> build, Action<TReq, TResp, TextWriter> table)
        where TReq : class, IMessage<TReq> where TResp : class, IMessage<TResp>
    {
        Builders[cmd] = (p, rc) => build(p, rc);
        CoveredMethods.Add(MethodRecorder.NameOf(c => call(c, null!, default)));
        Action(cmd, async s =>
        {
            var request = build(s.Parse, Context(s.Parse));
            var response = await call(s.Rpc, request, s.Call());
            s.Print(response, (r, w) => table(request, r, w));
            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>A command with a hand-written body (streaming, read-modify-write); the builder still registers for tests.</summary>
    public Command Custom(Command cmd, Func<ParseResult, RequestContext, IMessage>? build, Func<CtlSession, Task<int>> body, params Action<ControllerClients>[] calls)
    {
        CoveredMethods.UnionWith(calls.Select(MethodRecorder.NameOf));
        if (build is not null) Builders[cmd] = build;
        Action(cmd, body);
        return cmd;
    }

    /// <summary>Now, by the host's clock (relative flags such as --since 1h).</summary>
    public DateTimeOffset Now() => host.Time.GetUtcNow();

    public RequestContext Context(ParseResult p) => new(p.GetValue(g.RequestId) is { Length: > 0 } id ? id : host.NewRequestId());

    void Action(Command cmd, Func<CtlSession, Task<int>> body) =>
        cmd.SetAction((p, ct) => RunAsync(p, ct, body));

    async Task<int> RunAsync(ParseResult p, CancellationToken ct, Func<CtlSession, Task<int>> body)
    {
        using var s = new CtlSession(host, g, p, ct);
        try
        {
            return await body(s);
        }
        catch (RpcException raw)
        {
            var e = ErrorReporter.Normalize(raw);
            var controller = TryController(s);
            foreach (var line in ErrorReporter.Lines(e, controller, s.EffectiveTimeout)) host.Err.WriteLine(line);
            return ErrorReporter.ExitCodeFor(e.StatusCode);
        }
        catch (UsageException e)
        {
            host.Err.WriteLine($"error: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (CtlException e)
        {
            host.Err.WriteLine($"error: {e.Message}");
            return e.ExitCode;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            host.Err.WriteLine("error: interrupted");
            return ExitCodes.Unexpected;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            host.Err.WriteLine($"error: {ErrorReporter.OneLine(e.Message)}");
            return ExitCodes.Unexpected;
        }
        catch (Exception e)
        {
            // Never a stack trace: one line naming the failure, so a bug report still has something to grep.
            host.Err.WriteLine($"error: unexpected {e.GetType().Name}: {ErrorReporter.OneLine(e.Message)}");
            return ExitCodes.Unexpected;
        }
    }

    static string TryController(CtlSession s)
    {
        try { return s.Config.Controller; } catch (Exception) { return "(unresolved controller)"; }
    }
}
