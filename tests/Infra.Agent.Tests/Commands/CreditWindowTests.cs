using Infra.Agent.Core.Commands;

namespace Infra.Agent.Tests.Commands;

public sealed class CreditWindowTests
{
    [Theory]
    [InlineData(0u, 4)]
    [InlineData(1u, 1)]
    [InlineData(7u, 7)]
    public void NewWindow_AllowsWindowChunks_ZeroMeaningFour(uint window, int expected)
    {
        var w = new CreditWindow(window);
        var taken = 0;
        while (w.TryTake()) taken++;
        Assert.Equal(expected, taken);
    }

    [Fact]
    public void Grant_AddsToWhatIsLeft()
    {
        var w = new CreditWindow(2);
        Assert.True(w.TryTake());
        w.Grant(3);
        Assert.Equal(4, w.Available);
    }

    [Fact]
    public async Task TakeAsync_WithoutCredit_WaitsUntilAGrant()
    {
        var w = new CreditWindow(1);
        await w.TakeAsync(CancellationToken.None);
        var waiting = w.TakeAsync(CancellationToken.None);
        await Task.Yield();
        Assert.False(waiting.IsCompleted);
        w.Grant(1);
        await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(0, w.Available);
    }

    [Fact]
    public async Task TakeAsync_Cancelled_WakesWithCancellation()
    {
        var w = new CreditWindow(1);
        Assert.True(w.TryTake());
        using var cts = new CancellationTokenSource();
        var waiting = w.TakeAsync(cts.Token);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void Grant_HugeCredits_IsClampedInsteadOfOverflowing()
    {
        var w = new CreditWindow(1);
        for (var i = 0; i < 10; i++) w.Grant(uint.MaxValue);
        Assert.Equal(1 << 20, w.Available);
    }
}
