using Infra.Systemd.Manager;
using Infra.Systemd.Tests.Fixtures;
using Infra.Systemd.Units;

namespace Infra.Systemd.Tests.Notify;

/// <summary>
/// A service hosted as the agent is (Generic Host, Hosting.Systemd, our WatchdogPet), run inside the
/// booted root as a Type=notify unit and read back through systemd; and job waits across the bus going away.
/// </summary>
[Collection("systemd")]
public sealed class NotifyUnitTests(SystemdRootFixture fx)
{
    static readonly TimeSpan Job = TimeSpan.FromSeconds(60);
    SystemdManager M => fx.Manager;

    static UnitProperty[] NotifyService(string gate, string readyStatus, string? sick = null, params UnitProperty[] extra) =>
    [
        UnitProperty.Description("infra notify helper"),
        UnitProperty.Type("notify"),
        UnitProperty.NotifyAccess("main"),
        UnitProperty.ExecStart(ExecCommand.Of($"{SystemdRootFixture.RuntimeInRoot}/dotnet",
            [$"{SystemdRootFixture.TestBinInRoot}/Infra.Systemd.NotifyHelper.dll", gate, readyStatus, .. sick is null ? Array.Empty<string>() : [sick]])),
        UnitProperty.TimeoutStart(TimeSpan.FromMinutes(2)),
        .. extra,
    ];

    static UnitProperty Collect => UnitProperty.CollectMode("inactive-or-failed");

    string HostPath(string pathInRoot) => Path.Combine(fx.Root.RootPath, pathInRoot.TrimStart('/'));

    [Fact]
    public async Task NotifyService_IsActiveOnlyAfterTheLibrarysReady_AndShowsStatusText()
    {
        var unit = $"infra-notify-{Guid.NewGuid():N}.service";
        var gate = $"/tmp/{unit}.gate";
        await M.SubscribeAsync(); // again, if an earlier test restarted the bus
        var job = await M.StartTransientUnitAsync(unit, "fail", NotifyService(gate, "serving 0 VMs", null, Collect));
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

            File.WriteAllText(HostPath(gate), "go");
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
    public async Task Watchdog_IsPettedWhileHealthy_AndSystemdKillsTheServiceOnceItTurnsSick()
    {
        var unit = $"infra-notify-{Guid.NewGuid():N}.service";
        var (gate, sick) = ($"/tmp/{unit}.gate", $"/tmp/{unit}.sick");
        File.WriteAllText(HostPath(gate), "go");
        // Not collected when failed: the test reads why it failed.
        var started = await M.StartTransientUnitAndWaitAsync(unit, "fail",
            NotifyService(gate, "healthy", sick, UnitProperty.WatchdogTimeout(TimeSpan.FromSeconds(3)), UnitProperty.Restart("no")), Job);
        try
        {
            Assert.Equal(JobResult.Done, started.Result);
            var pid = (await M.GetUnitStatusAsync(unit)).MainPid;
            var path = await M.GetUnitAsync(unit);
            var pets = new HashSet<ulong>();
            for (int i = 0; i < 15; i++) // 7.5 s: two and a half deadlines
            {
                var s = await M.GetUnitStatusAsync(unit);
                Assert.Equal(("active", pid), (s.ActiveState, s.MainPid));
                pets.Add((ulong)await M.GetPropertyAsync(path, SystemdManager.ServiceInterface, "WatchdogTimestampMonotonic"));
                await Task.Delay(500);
            }
            Assert.True(pets.Count >= 3, $"systemd saw too few watchdog pets: {string.Join(", ", pets)}");

            File.WriteAllText(HostPath(sick), "sick");
            string result = "";
            for (int i = 0; i < 100 && result != "watchdog"; i++)
            {
                await Task.Delay(100);
                result = (string)await M.GetPropertyAsync(path, SystemdManager.ServiceInterface, "Result");
            }
            Assert.Equal("watchdog", result);
            // systemd sends SIGABRT (WatchdogSignal=) and the service is on its way out (the runtime may still be aborting).
            Assert.Contains((await M.GetUnitStatusAsync(unit)).ActiveState, new[] { "deactivating", "failed" });
        }
        finally
        {
            await M.StopUnitAndWaitAsync(unit, Job);
            await M.ResetFailedUnitAsync(unit);
        }
    }

    [Fact]
    public async Task WaitForJob_WhenTheClientIsDisposed_FailsWithClosedException()
    {
        var unit = $"infra-notify-{Guid.NewGuid():N}.service";
        await using var other = await SystemdManager.ConnectAsync(fx.Root.BusAddress);
        await other.SubscribeAsync();
        var job = await other.StartTransientUnitAsync(unit, "fail", NotifyService($"/tmp/{unit}.never", "never", null, Collect));
        try
        {
            var waiting = other.WaitForJobAsync(job, Job);
            await other.DisposeAsync();
            await Assert.ThrowsAsync<Tmds.DBus.Protocol.DBusConnectionClosedException>(() => waiting);
        }
        finally
        {
            Assert.Equal(JobResult.Done, (await M.StopUnitAndWaitAsync(unit, Job)).Result);
        }
    }

    [Fact]
    public async Task WaitForJob_WhenTheSystemBusRestarts_FailsClosed_ThenTheSameClientReconnectsAndWaitsForJobsAgain()
    {
        var unit = $"infra-notify-{Guid.NewGuid():N}.service";
        var gate = $"/tmp/{unit}.gate";
        await using var client = await SystemdManager.ConnectAsync(fx.Root.BusAddress);
        await client.SubscribeAsync();
        var job = await client.StartTransientUnitAsync(unit, "fail", NotifyService(gate, "ready", null, Collect));
        var waiting = client.WaitForJobAsync(job, Job);

        // dbus-daemon restarts (as on a package upgrade): systemd reconnects to the new bus by itself.
        fx.Root.Exec("systemctl", "restart", "dbus.service");
        var lost = await Assert.ThrowsAsync<Tmds.DBus.Protocol.DBusConnectionClosedException>(() => waiting);
        Assert.Contains("closed", lost.Message);

        // The next call connects again; the next job wait subscribes again on the new connection.
        UnitStatus? s = null;
        for (int i = 0; i < 100; i++)
        {
            try { s = await client.GetUnitStatusAsync(unit); break; }
            // systemd (or the bus) not back yet
            catch (Exception e) when (e is SystemdErrorException { ErrorName: SystemdErrorNames.ServiceUnknown } or Tmds.DBus.Protocol.DBusConnectionException) { await Task.Delay(100); }
        }
        Assert.Equal("activating", s?.ActiveState);
        File.WriteAllText(HostPath(gate), "go");
        var second = $"infra-notify-{Guid.NewGuid():N}.service";
        File.WriteAllText(HostPath($"/tmp/{second}.gate"), "go");
        var outcome = await client.StartTransientUnitAndWaitAsync(second, "fail", NotifyService($"/tmp/{second}.gate", "ready", null, Collect), Job);
        Assert.Equal(JobResult.Done, outcome.Result);
        // The first unit polls its gate on its own schedule: under load it may notify READY after the
        // second unit's job is done, so its turn to active is waited for (bounded), not assumed.
        var first = "";
        for (var i = 0; i < 300 && first != "active"; i++)
        {
            first = (await client.GetUnitStatusAsync(unit)).ActiveState;
            if (first != "active") await Task.Delay(100);
        }
        Assert.Equal("active", first);
        Assert.Equal(JobResult.Done, (await client.StopUnitAndWaitAsync(second, Job)).Result);
        Assert.Equal(JobResult.Done, (await client.StopUnitAndWaitAsync(unit, Job)).Result);
    }

    [Fact]
    public async Task WaitForJob_WithoutSubscribe_SaysToSubscribeFirst()
    {
        await using var fresh = await SystemdManager.ConnectAsync(fx.Root.BusAddress);
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => fresh.WaitForJobAsync("/org/freedesktop/systemd1/job/1", Job));
        Assert.Contains("SubscribeAsync", ex.Message);
    }
}
