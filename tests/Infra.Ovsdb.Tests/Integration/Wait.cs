namespace Infra.Ovsdb.Tests.Integration;

internal static class Wait
{
    /// <summary>Polls a condition a bounded number of times; fails the test with the message if it never holds.</summary>
    public static async Task UntilAsync(Func<bool> condition, string what, int timeoutMs = 10000)
    {
        for (var waited = 0; waited < timeoutMs; waited += 20)
        {
            if (condition()) return;
            await Task.Delay(20);
        }
        Assert.Fail($"Timed out after {timeoutMs} ms waiting for: {what}");
    }
}
