using Infra.Agent.Core.Apply;
using Infra.Agent.Core.State;
using Infra.Agent.Tests.Session;
using Infra.V1;
using Microsoft.Extensions.Logging.Abstractions;
using static Infra.Agent.Tests.Support.Resources;

namespace Infra.Agent.Tests.Apply;

public class ApplyLoopTests
{
    private sealed class CountingApplier : IResourceApplier
    {
        public int Periodic;
        public ulong LastVersion;
        public string Name => "counting";
        public Task<IReadOnlyList<ResourceError>> ApplyAsync(DesiredSnapshot s, bool periodic, CancellationToken ct)
        {
            if (periodic) Interlocked.Increment(ref Periodic);
            LastVersion = s.Version;
            return Task.FromResult<IReadOnlyList<ResourceError>>([]);
        }
    }

    private sealed class ThrowingApplier : IResourceApplier
    {
        public string Name => "throwing";
        public Task<IReadOnlyList<ResourceError>> ApplyAsync(DesiredSnapshot s, bool periodic, CancellationToken ct) => throw new InvalidOperationException("broken invariant");
    }

    [Fact]
    public async Task WithNothingNew_TheHeldSnapshotIsReEnforced_EveryInterval()
    {
        var a = new CountingApplier();
        await using var loop = new ApplyLoop([a], DesiredSnapshot.FromFull(Full(7, Vm("a"))), TimeSpan.FromMilliseconds(50), TimeProvider.System, NullLogger.Instance);
        loop.Start();
        for (var i = 0; i < 400 && Volatile.Read(ref a.Periodic) < 3; i++) await Task.Delay(10);
        Assert.True(a.Periodic >= 3);
        Assert.Equal(7UL, a.LastVersion);
    }

    [Fact]
    public async Task AnApplierThatThrows_BecomesAnError_AndTheOthersStillRun()
    {
        var a = new CountingApplier();
        await using var loop = new ApplyLoop([new ThrowingApplier(), a], DesiredSnapshot.Empty, TimeSpan.FromMinutes(10), TimeProvider.System, NullLogger.Instance);
        loop.Start();
        var outcome = await loop.SubmitAsync(DesiredSnapshot.FromFull(Full(2, Vm("a")))).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2UL, outcome.Version);
        Assert.Contains("broken invariant", Assert.Single(outcome.Errors).Error);
        Assert.Equal(2UL, a.LastVersion);
    }

    [Fact]
    public async Task Held_RunsNoPass_NotEvenPeriodic_UntilASubmissionLiftsIt()
    {
        var a = new CountingApplier();
        await using var loop = new ApplyLoop([a], DesiredSnapshot.Empty, TimeSpan.FromMilliseconds(20), TimeProvider.System, NullLogger.Instance, held: "damaged file");
        loop.Start();
        loop.RequestPass();
        await Task.Delay(300);
        Assert.Equal((0, 0UL), (Volatile.Read(ref a.Periodic), a.LastVersion));
        Assert.Null(loop.LastOutcome);
        var report = new StatusReport();
        await loop.CollectAsync(report, CancellationToken.None);
        Assert.Equal("damaged file", report.Held);

        var outcome = await loop.SubmitAsync(DesiredSnapshot.FromFull(Full(4, Vm("a")))).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(4UL, outcome.Version);
        Assert.Null(loop.Held);
        for (var i = 0; i < 400 && Volatile.Read(ref a.Periodic) < 2; i++) await Task.Delay(10);
        Assert.True(a.Periodic >= 2, "periodic passes resume once the hold is lifted");
    }
}
