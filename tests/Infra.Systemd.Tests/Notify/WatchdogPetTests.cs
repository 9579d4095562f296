using Infra.Systemd.Notify;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Infra.Systemd.Tests.Notify;

/// <summary>The pet's timing and health gate on a fake clock; the real datagrams go to systemd in NotifyUnitTests.</summary>
public class WatchdogPetTests
{
    sealed class Recorder(bool enabled = true) : ISystemdNotifier
    {
        public readonly List<string> Sent = [];
        public bool IsEnabled => enabled;
        public void Notify(ServiceState state) { lock (Sent) Sent.Add(state.ToString()); }
        public int Count { get { lock (Sent) return Sent.Count; } }
    }

    static async Task Until(Func<bool> cond, string what)
    {
        for (int i = 0; i < 400 && !cond(); i++) await Task.Delay(5);
        Assert.True(cond(), what);
    }

    static WatchdogPet Pet(Recorder r, WatchdogSettings? s, Func<bool> healthy, FakeTimeProvider time) =>
        new(r, s, healthy, time, NullLogger<WatchdogPet>.Instance);

    [Fact]
    public async Task WhileHealthy_PetsAtOnceThenEveryQuarterDeadline()
    {
        var (r, time) = (new Recorder(), new FakeTimeProvider());
        using var pet = Pet(r, new WatchdogSettings(TimeSpan.FromSeconds(30)), () => true, time);
        await pet.StartAsync(default);
        await Until(() => r.Count == 1, "the first pet at start");
        time.Advance(TimeSpan.FromSeconds(7));
        await Task.Delay(50);
        Assert.Equal(1, r.Count);
        for (int i = 2; i <= 4; i++)
        {
            time.Advance(TimeSpan.FromSeconds(i == 2 ? 0.5 : 7.5));
            await Until(() => r.Count == i, $"pet {i}");
        }
        Assert.All(r.Sent, s => Assert.Equal("WATCHDOG=1", s));
        await pet.StopAsync(default);
    }

    [Fact]
    public async Task WhileUnhealthy_WithholdsThePet_AndResumesWhenHealthyAgain()
    {
        var (r, time) = (new Recorder(), new FakeTimeProvider());
        var healthy = true;
        var asked = 0;
        using var pet = Pet(r, new WatchdogSettings(TimeSpan.FromSeconds(2)), () => { Interlocked.Increment(ref asked); return Volatile.Read(ref healthy); }, time);
        await pet.StartAsync(default);
        await Until(() => r.Count == 1, "first pet");
        Volatile.Write(ref healthy, false);
        for (int i = 2; i <= 4; i++)
        {
            time.Advance(TimeSpan.FromSeconds(0.5));
            await Until(() => Volatile.Read(ref asked) == i, $"health asked {i} times");
        }
        Assert.Equal(1, r.Count);
        Volatile.Write(ref healthy, true);
        time.Advance(TimeSpan.FromSeconds(0.5));
        await Until(() => r.Count == 2, "the pet after recovering");
        Assert.Equal(2, pet.Pets);
        await pet.StopAsync(default);
    }

    [Theory]
    [InlineData(false, true)]  // no WatchdogSec= for this process
    [InlineData(true, false)]  // not a systemd service: no notify socket
    public async Task WithoutWatchdogOrNotifier_SendsNothing(bool hasWatchdog, bool notifierEnabled)
    {
        var (r, time) = (new Recorder(notifierEnabled), new FakeTimeProvider());
        using var pet = Pet(r, hasWatchdog ? new WatchdogSettings(TimeSpan.FromSeconds(2)) : null, () => true, time);
        await pet.StartAsync(default);
        time.Advance(TimeSpan.FromSeconds(10));
        await Task.Delay(50);
        Assert.Equal(0, r.Count);
        await pet.StopAsync(default);
    }
}
