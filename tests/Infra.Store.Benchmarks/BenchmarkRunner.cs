namespace Infra.Store.Benchmarks;

internal static class BenchmarkRunner
{
    public static Task<int> RunAsync(string[] args) => Task.FromResult(0);
}
