using System.CommandLine;
using Infra.Ctl.Cli;
using Infra.Ctl.Errors;
using Infra.Ctl.Output;
using Grpc.Core;
using Infra.V1;
using Command = System.CommandLine.Command;

namespace Infra.Ctl.Commands;

/// <summary>
/// infractl watch: one line per change. The stream is resumable by revision, so when the controller goes away
/// the watch reconnects from the last revision it printed and no event is lost or repeated. It gives up after
/// <see cref="MaxConsecutiveFailures"/> reconnects in a row that brought nothing.
/// </summary>
public static class WatchCommand
{
    public const int MaxConsecutiveFailures = 10;

    public static Command Build(CommandKit kit)
    {
        var from = new Option<long>("--from") { Description = "Send changes after this revision (default 0: current state as CREATED events, then changes)" };
        var kinds = new Option<string[]>("--kind") { Description = "Only these kinds (repeatable)" };
        kinds.AcceptOnlyFromAmong(Enums.Names<ResourceKind>());
        var tenant = Opt.Tenant(false);
        var count = new Option<int>("--count") { Description = "Exit 0 after this many events (bookmarks not counted)" };
        var cmd = new Command("watch", "Stream changes, one line per event (JSON lines with --output json); --timeout bounds the whole watch") { from, kinds, tenant, count };
        return kit.Custom(cmd, (p, _) => BuildRequest(p.GetValue(from), p.GetValue(kinds), p.GetValue(tenant)),
            s => RunAsync(s, BuildRequest(s.Parse.GetValue(from), s.Parse.GetValue(kinds), s.Parse.GetValue(tenant)), s.Parse.GetValue(count)), c => c.Changes.Watch(null!));
    }

    public static WatchRequest BuildRequest(long from, string[]? kinds, string? tenant)
    {
        if (from < 0) throw new UsageException("--from must be 0 or a revision");
        return new WatchRequest { StartRevision = from, TenantId = tenant ?? "", Kinds = { (kinds ?? []).Select(k => Enums.Parse<ResourceKind>(k, "--kind")) } };
    }

    static async Task<int> RunAsync(CtlSession s, WatchRequest request, int count)
    {
        // --timeout bounds the whole watch (a script saying "watch for 30s"), not each reconnect.
        using var overall = CancellationTokenSource.CreateLinkedTokenSource(s.CancellationToken);
        if (s.TimeoutFlag is { } t) overall.CancelAfter(t);
        var ct = overall.Token;
        var options = new CallOptions(headers: s.Call(streaming: true).Headers, cancellationToken: ct);
        var last = request.StartRevision;
        var printed = 0;
        var failures = 0;
        var received = false;
        try
        {
            while (true)
            {
                string reason;
                try
                {
                    using var call = s.Rpc.Changes.Watch(new WatchRequest(request) { StartRevision = last }, options);
                    while (await call.ResponseStream.MoveNext(ct))
                    {
                        var e = call.ResponseStream.Current;
                        failures = 0;
                        received = true;
                        if (e.Revision > last) last = e.Revision;
                        if (s.Format == OutputFormat.Json) s.Out.WriteLine(Json.Format(e));
                        else if (e.Type != EventType.Bookmark) s.Out.WriteLine(Render.WatchLine(e));
                        s.Out.Flush();
                        if (e.Type != EventType.Bookmark && count > 0 && ++printed >= count) return ExitCodes.Ok;
                    }
                    reason = "the controller ended the stream";
                }
                catch (RpcException e) when (Retryable(e.StatusCode) && !ct.IsCancellationRequested)
                {
                    // Reconnecting is for a watch that was working; a controller that is not there at all fails at once.
                    if (!received || failures + 1 >= MaxConsecutiveFailures) throw;
                    reason = ErrorReporter.OneLine(e.Status.Detail);
                }
                failures++;
                if (failures >= MaxConsecutiveFailures)
                    throw new CtlException($"watch: giving up after {failures} reconnects without events ({reason}); resume with --from {last}", ExitCodes.Unavailable);
                s.Err.WriteLine($"watch: {reason}; reconnecting from revision {last} ({failures}/{MaxConsecutiveFailures})");
                await Task.Delay(s.Host.ReconnectDelay * failures, ct);
            }
        }
        catch (Exception e) when (overall.IsCancellationRequested && !s.CancellationToken.IsCancellationRequested && e is OperationCanceledException or RpcException)
        {
            return ExitCodes.Ok; // --timeout elapsed: the watch did what was asked
        }
    }

    static bool Retryable(StatusCode code) => code is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown or StatusCode.DeadlineExceeded;
}
