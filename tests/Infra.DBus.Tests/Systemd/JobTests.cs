using Infra.DBus.Tests.Fixtures;
using Infra.Systemd.Manager;
using Infra.Systemd.Units;
using Tmds.DBus.Protocol;

namespace Infra.DBus.Tests.Systemd;

/// <summary>Jobs turned into outcomes through JobRemoved, and the timeouts and cancellation the library does not have.</summary>
public sealed class JobTests : BusWithSystemd
{
    static readonly UnitProperty[] Sleeper = [UnitProperty.ExecStart(ExecCommand.Of("/bin/sleep", "600"))];

    [Theory]
    [InlineData(JobScript.DoneAfterReply, JobResult.Done)]
    [InlineData(JobScript.DoneBeforeReply, JobResult.Done)] // the signal overtakes the reply: kept until claimed
    [InlineData(JobScript.Failed, JobResult.Failed)]
    public async Task StartAndWait_ReturnsTheJobsOutcome_HoweverTheSignalAndReplyInterleave(JobScript script, JobResult expected)
    {
        Systemd.Jobs = script;
        var outcome = await Client.StartTransientUnitAndWaitAsync("infra-a.service", "fail", Sleeper, Wait);
        Assert.Equal((expected, "infra-a.service"), (outcome.Result, outcome.Unit));
        Assert.StartsWith("/org/freedesktop/systemd1/job/", outcome.JobPath);
        Assert.Equal(1, Systemd.Subscribes);
    }

    [Fact]
    // 100, not more: dbus-daemon caps pending replies per connection at 128 by default.
    public async Task StartAndWait_ManyInParallel_EachGetsItsOwnOutcome()
    {
        var all = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Client.StartTransientUnitAndWaitAsync($"infra-p{i}.service", "fail", Sleeper, Wait)));
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"infra-p{i}.service"), all.Select(o => o.Unit));
        Assert.Equal(100, all.Select(o => o.JobPath).Distinct().Count());
        Assert.Equal(1, Systemd.Subscribes);
    }

    [Fact]
    public async Task JobRemoved_FromAConnectionThatIsNotSystemd_IsIgnored()
    {
        Systemd.Jobs = JobScript.NeverFinish;
        await Client.SubscribeAsync();
        var job = await Client.StartTransientUnitAsync("infra-a.service", "fail", Sleeper);
        var waiting = Client.WaitForJobAsync(job, Wait);
        using var impostor = new DBusConnection(Bus.Address);
        await impostor.ConnectAsync();
        ScriptedSystemd.EmitJobRemoved(impostor, job, "infra-a.service", "failed");
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted, "a signal from another sender was taken for systemd's");
        Systemd.EmitJobRemoved(job, "infra-a.service", "done");
        Assert.Equal(JobResult.Done, (await waiting).Result);
    }

    [Fact]
    public async Task WaitForJob_WhenTheJobNeverEnds_TimesOutNamingIt_AndTheClientStaysUsable()
    {
        Systemd.Jobs = JobScript.NeverFinish;
        await Client.SubscribeAsync();
        var job = await Client.StartTransientUnitAsync("infra-a.service", "fail", Sleeper);
        var ex = await Assert.ThrowsAsync<SystemdTimeoutException>(() => Client.WaitForJobAsync(job, TimeSpan.FromMilliseconds(200)));
        Assert.Contains(job, ex.Message);
        Assert.Equal("infra-a.service", (await Client.GetUnitStatusAsync("infra-a.service")).Name);
    }

    [Fact]
    public async Task Call_WithoutReplyInTime_TimesOutNamingTheMethodAndUnit_AndTheClientStaysUsable()
    {
        Systemd.Jobs = JobScript.NoReply;
        var ex = await Assert.ThrowsAsync<SystemdTimeoutException>(() => Client.StartTransientUnitAsync("infra-a.service", "fail", Sleeper, TimeSpan.FromMilliseconds(200)));
        Assert.Contains("StartTransientUnit", ex.Message);
        Assert.Contains("infra-a.service", ex.Message);
        Assert.Equal("252-scripted", await Client.GetPropertyAsync(SystemdManager.ManagerPath, SystemdManager.ManagerInterface, "Version"));
    }

    [Fact]
    public async Task Call_WhenCancelled_ThrowsOperationCanceled()
    {
        Systemd.Jobs = JobScript.NoReply;
        using var cts = new CancellationTokenSource();
        var pending = Client.StartTransientUnitAsync("infra-a.service", "fail", Sleeper, ct: cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
    }

    [Fact]
    public async Task WaitForJob_WithoutSubscribe_SaysToSubscribeFirst()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => Client.WaitForJobAsync("/org/freedesktop/systemd1/job/1", Wait));
        Assert.Contains("SubscribeAsync", ex.Message);
    }
}
