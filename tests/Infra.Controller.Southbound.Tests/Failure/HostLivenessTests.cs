using Google.Protobuf.WellKnownTypes;
using Infra.Controller.Southbound.Failure;
using Infra.V1;

namespace Infra.Controller.Southbound.Tests.Failure;

public sealed class HostLivenessTests
{
    static readonly SouthboundOptions O = new() { HeartbeatInterval = TimeSpan.FromSeconds(5), SuspectAfterMissed = 3, DownAfterMissed = 6 };
    static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(HostState.Up, 14, null)]
    [InlineData(HostState.Up, 15, HostState.Suspect)]
    [InlineData(HostState.Up, 30, HostState.Down)]
    [InlineData(HostState.Suspect, 20, null)]
    [InlineData(HostState.Suspect, 30, HostState.Down)]
    [InlineData(HostState.Down, 300, null)]
    [InlineData(HostState.Maintenance, 300, null)]
    public void Next_AfterSilence_GivesTheStateTheHostMovesTo(HostState state, int silentSeconds, HostState? expected)
    {
        var h = new Host { State = state, LastHeartbeat = Timestamp.FromDateTimeOffset(T0) };

        Assert.Equal(expected, HostLiveness.Next(h, T0.AddSeconds(silentSeconds), O));
    }

    [Fact]
    public void Options_DownNotAfterSuspect_IsRejectedWithEveryError()
    {
        var errors = new SouthboundOptions { ControllerId = "", SuspectAfterMissed = 5, DownAfterMissed = 5, HeartbeatInterval = TimeSpan.Zero }.Validate();

        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.Contains("down-after-missed (5) must be greater"));
    }
}
