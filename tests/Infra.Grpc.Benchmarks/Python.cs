using System.Text.Json;

namespace Infra.Grpc.Benchmarks;

/// <summary>The grpcio (asyncio) reference client: same scenarios, run by bench_client.py.</summary>
public static class Python
{
    public delegate string Runner(string file, IEnumerable<string> args, string? pythonPath, Dictionary<string, string> env);

    public static List<Row> Run(string address, double seconds, string stubs, bool unaryOnly, Runner run)
    {
        var rows = new List<Row>();
        var target = address.Replace("http://", "");
        var script = Path.Combine(stubs, "bench_client.py");
        foreach (var c in new[] { 1, 64 })
        {
            var r = JsonDocument.Parse(run("/usr/bin/python3", new[] { script, target, "unary", c.ToString(), seconds.ToString() }, stubs, new())).RootElement;
            rows.Add(new Row($"unary x{c}", "grpcio (python)", r.GetProperty("rate").GetDouble(), "calls/s", r.GetProperty("p50_us").GetDouble(), r.GetProperty("p99_us").GetDouble())
            {
                P999Us = r.GetProperty("p999_us").GetDouble(),
                MaxUs = r.GetProperty("max_us").GetDouble(),
            });
        }
        if (unaryOnly) return rows;
        var s = JsonDocument.Parse(run("/usr/bin/python3", new[] { script, target, "stream", "100000" }, stubs, new())).RootElement;
        rows.Add(new Row("server stream", "grpcio (python)", s.GetProperty("rate").GetDouble(), "msgs/s", null, null));
        return rows;
    }
}
