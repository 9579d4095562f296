using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Infra.Grpc.Benchmarks;

/// <summary>
/// Which types a piece of code allocates, from the runtime's own sampled AllocationTick events (one
/// event per ~100 KB allocated, naming the type that crossed the mark). Sampled, so only types that
/// make up a real share show up; good enough to see what dominates the bytes per call.
/// </summary>
public sealed class AllocationProfile : EventListener
{
    readonly ConcurrentDictionary<string, long> _bytes = new();
    volatile bool _on;

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
            EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1 /* GC */);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (!_on || e.EventName is null || !e.EventName.StartsWith("GCAllocationTick") || e.Payload is null) return;
        var type = e.PayloadNames!.IndexOf("TypeName") is var t and >= 0 ? e.Payload[t] as string ?? "?" : "?";
        var amount = e.PayloadNames.IndexOf("AllocationAmount64") is var a and >= 0 ? Convert.ToInt64(e.Payload[a]) : 100_000;
        _bytes.AddOrUpdate(type, amount, (_, v) => v + amount);
    }

    public async Task<string> RunAsync(int calls, Func<Task> call)
    {
        await Task.Delay(500); // let the listener attach
        _on = true;
        for (var i = 0; i < calls; i++) await call();
        _on = false;
        var total = _bytes.Values.Sum();
        return string.Join("\n", _bytes.OrderByDescending(kv => kv.Value).Take(25)
            .Select(kv => $"{kv.Value * 100.0 / total,5:N1}%  {kv.Value / (double)calls,7:N0} B/call  {kv.Key}"));
    }
}
