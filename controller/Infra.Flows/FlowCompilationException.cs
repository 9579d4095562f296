namespace Infra.Flows;

/// <summary>The host state given to the compiler is inconsistent; Errors lists every problem found.</summary>
public sealed class FlowCompilationException(IReadOnlyList<string> errors)
    : Exception($"cannot compile flows, the host state has {errors.Count} problem(s):\n  " + string.Join("\n  ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
