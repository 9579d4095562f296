namespace Infra.Agent.Core.Session;

/// <summary>
/// Exponential backoff with jitter: the ceiling doubles per failed attempt up to the maximum, and the
/// delay is drawn from the upper half of it, so a controller restart does not see every agent of a
/// region reconnect in the same millisecond, yet no agent waits less than half the ceiling.
/// </summary>
public static class Backoff
{
    /// <summary>The delay before attempt <paramref name="attempt"/> (0-based) given a uniform draw in [0, 1).</summary>
    public static TimeSpan Delay(int attempt, TimeSpan min, TimeSpan max, double random01)
    {
        var ceiling = min.TotalMilliseconds * Math.Pow(2, Math.Clamp(attempt, 0, 30));
        ceiling = Math.Min(ceiling, max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ceiling / 2 + random01 * ceiling / 2);
    }
}
