using Infra.Systemd.Manager;
using Infra.Systemd.Tests.Fixtures;
using Infra.Systemd.Units;

namespace Infra.Systemd.Tests.Notify;

/// <summary>Our SdNotify, run inside the booted root as a Type=notify service, read back through systemd.</summary>
[Collection("systemd")]
public sealed class NotifyUnitTests(SystemdRootFixture fx)
{
    static readonly TimeSpan Job = TimeSpan.FromSeconds(60);
    SystemdManager M => fx.Manager;

    UnitProperty[] NotifyService(string gate, string readyStatus) =>
    [
        UnitProperty.Description("infra notify helper"),
        UnitProperty.Type("notify"),
        UnitProperty.NotifyAccess("main"),
        UnitProperty.ExecStart(ExecCommand.Of($"{SystemdRootFixture.RuntimeInRoot}/dotnet",
            $"{SystemdRootFixture.TestBinInRoot}/Infra.Systemd.NotifyHelper.dll", gate, readyStatus)),
        UnitProperty.TimeoutStart(TimeSpan.FromMinutes(2)),
        UnitProperty.CollectMode("inactive-or-failed"),
    ];

    [Fact]
    public async Task NotifyService_IsActiveOnlyAfterReady_AndShowsStatusText()
    {
        var unit = $"infra-notify-{Guid.NewGuid():N}.service";
        var gate = $"/tmp/{unit}.gate";
        var job = await M.StartTransientUnitAsync(unit, "fail", NotifyService(gate, "serving 0 VMs"));
        try
        {
            // Before READY=1 the unit sits in "activating" with the STATUS= it sent first.
            UnitStatus? s = null;
            for (int i = 0; i < 300; i++)
            {
                s = await M.GetUnitStatusAsync(unit);
                if (s.StatusText.StartsWith("waiting for", StringComparison.Ordinal)) break;
                await Task.Delay(100);
            }
            Assert.Equal($"waiting for {gate}", s!.StatusText);
            Assert.Equal("activating", s.ActiveState);
            Assert.Equal("start", s.SubState);

            File.WriteAllText(Path.Combine(fx.Root.RootPath, gate.TrimStart('/')), "go");
            var outcome = await M.WaitForJobAsync(job, Job);

            Assert.Equal(JobResult.Done, outcome.Result);
            s = await M.GetUnitStatusAsync(unit);
            Assert.Equal("active", s.ActiveState);
            Assert.Equal("running", s.SubState);
            Assert.Equal("serving 0 VMs", s.StatusText);
        }
        finally
        {
            var stop = await M.StopUnitAndWaitAsync(unit, Job);
            Assert.Equal(JobResult.Done, stop.Result);
        }
    }

    [Fact]
    public async Task WaitForJob_WhenBusConnectionCloses_FailsWithClosedException()
    {
        var unit = $"infra-notify-{Guid.NewGuid():N}.service";
        await using var other = await SystemdManager.ConnectAsync(fx.Root.BusAddress);
        await other.SubscribeAsync();
        var job = await other.StartTransientUnitAsync(unit, "fail", NotifyService($"/tmp/{unit}.never", "never"));
        try
        {
            var waiting = other.WaitForJobAsync(job, Job);
            await other.Connection.DisposeAsync();
            await Assert.ThrowsAsync<Infra.DBus.DBusConnectionClosedException>(() => waiting);
        }
        finally
        {
            Assert.Equal(JobResult.Done, (await M.StopUnitAndWaitAsync(unit, Job)).Result);
        }
    }

    [Fact]
    public async Task WaitForJob_WithoutSubscribe_SaysToSubscribeFirst()
    {
        await using var fresh = await SystemdManager.ConnectAsync(fx.Root.BusAddress);
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => fresh.WaitForJobAsync("/org/freedesktop/systemd1/job/1", Job));
        Assert.Contains("SubscribeAsync", ex.Message);
    }
}
