namespace Infra.Agent.Vm.Tests.Support;

/// <summary>Bounded polling for the adapter tests.</summary>
public static class Waits
{
    /// <summary>Polls <paramref name="condition"/> every 50 ms; throws naming <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out after {timeout.TotalSeconds} s waiting for {what}");
            await Task.Delay(50);
        }
    }
}
