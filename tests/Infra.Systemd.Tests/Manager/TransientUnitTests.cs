using Infra.Systemd.Manager;
using Infra.Systemd.Tests.Fixtures;
using Infra.Systemd.Units;
using Xunit.Abstractions;

namespace Infra.Systemd.Tests.Manager;

/// <summary>The Manager API against real systemd booted in a test root, checked down to the kernel's cgroup files.</summary>
[Collection("systemd")]
public sealed class TransientUnitTests(SystemdRootFixture fx, ITestOutputHelper output)
{
    static readonly TimeSpan Job = TimeSpan.FromSeconds(30);
    SystemdManager M => fx.Manager;

    static string NewUnit() => $"infra-test-{Guid.NewGuid():N}.service";

    static UnitProperty[] Sleeper(params UnitProperty[] extra) =>
    [
        UnitProperty.Description("infra test sleeper"),
        UnitProperty.ExecStart(ExecCommand.Of("/bin/sleep", "600")),
        UnitProperty.CollectMode("inactive-or-failed"),
        .. extra,
    ];

    async Task<UnitStatus> Started(string unit, params UnitProperty[] extra)
    {
        var outcome = await M.StartTransientUnitAndWaitAsync(unit, "fail", Sleeper(extra), Job);
        Assert.Equal(JobResult.Done, outcome.Result);
        Assert.Equal(unit, outcome.Unit);
        return await M.GetUnitStatusAsync(unit);
    }

    /// <summary>Polls (bounded) until the unit is gone or inactive; transient units are unloaded once stopped.</summary>
    async Task<string> SettledState(string unit)
    {
        for (int i = 0; i < 100; i++)
        {
            try
            {
                var s = await M.GetUnitStatusAsync(unit);
                if (s.ActiveState is "inactive" or "failed") return s.ActiveState;
            }
            catch (NoSuchUnitException) { return "gone"; }
            await Task.Delay(100);
        }
        return "still running";
    }

    [Fact]
    public void Fixture_ReportsBuildAndBootTimes() =>
        output.WriteLine($"root build: {fx.Root.BuildTime.TotalSeconds:F1} s (0 = cached), boot to running: {fx.Root.BootTime.TotalSeconds:F1} s");

    [Fact]
    public async Task StartTransientUnit_WithCpuQuotaAndMemoryMax_RunsWithThoseKernelLimits()
    {
        var unit = NewUnit();
        var s = await Started(unit, UnitProperty.CpuQuotaPercent(50), UnitProperty.MemoryMax(64UL << 20));
        try
        {
            Assert.Equal("active", s.ActiveState);
            Assert.Equal("running", s.SubState);
            Assert.True(s.MainPid > 0);
            Assert.Equal($"/system.slice/{unit}", s.ControlGroup);

            var (quota, period) = fx.Root.ReadCpuQuota(s.ControlGroup);
            Assert.Equal(period / 2, quota);
            var mem = fx.Root.HostCgroupPath("memory", s.ControlGroup);
            var limit = File.Exists(Path.Combine(mem, "memory.max")) ? Path.Combine(mem, "memory.max") : Path.Combine(mem, "memory.limit_in_bytes");
            Assert.Equal((64L << 20).ToString(), File.ReadAllText(limit).Trim());
            output.WriteLine($"{unit}: cgroup {s.ControlGroup}, quota {quota}/{period} us, memory {File.ReadAllText(limit).Trim()}");
        }
        finally { await M.StopUnitAsync(unit); }
    }

    [Fact]
    public async Task SetUnitProperties_AtRuntime_ChangesCpuQuotaLive()
    {
        var unit = NewUnit();
        var s = await Started(unit, UnitProperty.CpuQuotaPercent(50));
        try
        {
            await M.SetUnitPropertiesAsync(unit, runtime: true, [UnitProperty.CpuQuotaPercent(150)]);

            var (quota, period) = fx.Root.ReadCpuQuota(s.ControlGroup);
            Assert.Equal(period * 3 / 2, quota);
            var path = await M.GetUnitAsync(unit);
            Assert.Equal(1_500_000UL, await M.GetPropertyAsync(path, SystemdManager.ServiceInterface, "CPUQuotaPerSecUSec"));
            Assert.Equal(s.MainPid, (await M.GetUnitStatusAsync(unit)).MainPid); // same process, no restart
            // systemctl inside the root agrees with what our client reads.
            Assert.Equal("CPUQuotaPerSecUSec=1.500000s", fx.Root.Exec("systemctl", "show", unit, "-p", "CPUQuotaPerSecUSec").Trim());
        }
        finally { await M.StopUnitAsync(unit); }
    }

    [Fact]
    public async Task StopUnit_OfRunningUnit_FinishesJobAndUnloadsTransientUnit()
    {
        var unit = NewUnit();
        await Started(unit);
        var stop = await M.StopUnitAndWaitAsync(unit, Job);
        Assert.Equal(JobResult.Done, stop.Result);
        Assert.Contains(await SettledState(unit), new[] { "gone", "inactive" });
    }

    [Fact]
    public async Task KillUnit_WithSigkillToMain_EndsTheService()
    {
        var unit = NewUnit();
        var s = await Started(unit, UnitProperty.Restart("no"));
        Assert.Equal("active", s.ActiveState);
        await M.KillUnitAsync(unit, "main", 9);
        // Killed by a signal: the unit fails and, with CollectMode=inactive-or-failed, is unloaded.
        Assert.Contains(await SettledState(unit), new[] { "gone", "failed" });
    }

    [Fact]
    public async Task GetUnit_OfMissingUnit_ThrowsNoSuchUnit()
    {
        var ex = await Assert.ThrowsAsync<NoSuchUnitException>(() => M.GetUnitAsync("infra-no-such-unit.service"));
        Assert.Equal(SystemdErrorNames.NoSuchUnit, ex.ErrorName);
        Assert.Equal("infra-no-such-unit.service", ex.Unit);
        Assert.Contains("infra-no-such-unit.service", ex.ErrorMessage);
    }

    [Fact]
    public async Task StartTransientUnit_WithNameInUse_ThrowsUnitExists()
    {
        var unit = NewUnit();
        await Started(unit);
        try
        {
            await Assert.ThrowsAsync<UnitExistsException>(() => M.StartTransientUnitAsync(unit, "fail", Sleeper()));
        }
        finally { await M.StopUnitAsync(unit); }
    }

    [Fact]
    public async Task StartTransientUnit_WithUnknownProperty_ThrowsErrorNamingIt()
    {
        var bogus = new UnitProperty("InfraNoSuchProperty", Tmds.DBus.Protocol.VariantValue.String("x"));
        var ex = await Assert.ThrowsAnyAsync<SystemdErrorException>(() => M.StartTransientUnitAsync(NewUnit(), "fail", [.. Sleeper(), bogus]));
        Assert.Contains("InfraNoSuchProperty", ex.ErrorMessage);
        Assert.StartsWith("org.freedesktop.", ex.ErrorName);
    }

    [Fact]
    public async Task StartTransientUnit_OfTypeExecWithMissingBinary_JobFails()
    {
        var outcome = await M.StartTransientUnitAndWaitAsync(NewUnit(), "fail",
        [
            UnitProperty.ExecStart(ExecCommand.Of("/nonexistent/infra-binary")),
            UnitProperty.Type("exec"),
            UnitProperty.CollectMode("inactive-or-failed"),
        ], Job);
        Assert.Equal(JobResult.Failed, outcome.Result);
    }

    [Fact]
    public async Task StartTransientUnit_WithDelegateAndWeight_ReportsThemBack()
    {
        var unit = NewUnit();
        await Started(unit, UnitProperty.Delegate(true), UnitProperty.CpuWeight(250), UnitProperty.KillMode("mixed"));
        try
        {
            var path = await M.GetUnitAsync(unit);
            Assert.Equal(true, await M.GetPropertyAsync(path, SystemdManager.ServiceInterface, "Delegate"));
            Assert.Equal(250UL, await M.GetPropertyAsync(path, SystemdManager.ServiceInterface, "CPUWeight"));
            Assert.Equal("mixed", await M.GetPropertyAsync(path, SystemdManager.ServiceInterface, "KillMode"));
        }
        finally { await M.StopUnitAsync(unit); }
    }

    [Fact]
    public async Task StartTransientUnit_WithEnvironmentAndOutputFile_RunsWithTheVariablesAndAppendsItsOutputThere()
    {
        var unit = NewUnit();
        var log = $"/tmp/{unit}.log";
        File.WriteAllText(Path.Combine(fx.Root.RootPath, log.TrimStart('/')), "earlier line\n");
        var outcome = await M.StartTransientUnitAndWaitAsync(unit, "fail",
        [
            UnitProperty.ExecStart(ExecCommand.Of("/bin/sh", "-c", "echo \"$GREETING from $WHO\"; echo oops >&2; exec sleep 600")),
            UnitProperty.Environment("GREETING=hello", "WHO=infra test"),
            UnitProperty.StandardOutputFileToAppend(log),
            UnitProperty.StandardErrorFileToAppend(log),
            UnitProperty.CollectMode("inactive-or-failed"),
        ], Job);
        try
        {
            Assert.Equal(JobResult.Done, outcome.Result);
            var path = await M.GetUnitAsync(unit);
            Assert.Equal(new[] { "GREETING=hello", "WHO=infra test" }, await M.GetPropertyAsync(path, SystemdManager.ServiceInterface, "Environment"));
            var hostLog = Path.Combine(fx.Root.RootPath, log.TrimStart('/'));
            for (int i = 0; i < 100 && !File.ReadAllText(hostLog).Contains("oops"); i++) await Task.Delay(50);
            Assert.Equal("earlier line\nhello from infra test\noops\n", File.ReadAllText(hostLog));
        }
        finally { await M.StopUnitAsync(unit); }
    }
}
