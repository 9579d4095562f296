using Infra.Controller.Southbound.Cluster;
using Infra.Controller.Southbound.Session;
using Infra.Store.Sqlite;
using Infra.V1;
using static Infra.Controller.Southbound.Tests.Support.Objects;

namespace Infra.Controller.Southbound.Tests.Session;

/// <summary>Agent reports folded into stored instances through the lifecycle rules, on a real SQLite store.</summary>
public sealed class StatusApplierTests : IAsyncLifetime
{
    readonly string _dir = Directory.CreateTempSubdirectory("sb-status-").FullName;
    readonly SqliteStore _store;

    public StatusApplierTests() => _store = SqliteStore.Open(new SqliteStoreOptions(Path.Combine(_dir, "state.db")));

    async Task VmAsync(string id, InstanceState state, InstanceState desired, string reason = "")
    {
        var i = Instance(id, "t1", "h1");
        (i.State, i.DesiredState, i.StateReason) = (state, desired, reason);
        await _store.PutAsync(i);
    }

    async Task<(InstanceState State, InstanceState Desired, string Reason)> StoredAsync(string id)
    {
        var i = (await ObjectStore.ReadAsync(_store, Kinds.Instance, id, default))!;
        return (i.State, i.DesiredState, i.StateReason);
    }

    static StatusReport Report(params (string Id, InstanceState State, string Reason)[] vms)
    {
        var r = new StatusReport();
        foreach (var (id, state, reason) in vms) r.Vms.Add(new VmStatus { Id = id, State = state, Reason = reason });
        return r;
    }

    [Fact]
    public async Task Apply_ReportsGoThroughTheLifecycle_NotOverIt()
    {
        await VmAsync("i-starting", InstanceState.Starting, InstanceState.Running);
        await VmAsync("i-stopping", InstanceState.Stopping, InstanceState.Stopped);
        await VmAsync("i-running", InstanceState.Running, InstanceState.Running);
        await VmAsync("i-failed", InstanceState.Error, InstanceState.Running, "qemu exited with status 1");
        await VmAsync("i-booted", InstanceState.Starting, InstanceState.Running, "restarting on h1: host h0 went down");

        await new StatusApplier(_store).ApplyAsync("h1", Report(
            ("i-starting", InstanceState.Stopped, ""),  // lags the start the operator asked for
            ("i-stopping", InstanceState.Running, ""),  // lags the stop
            ("i-running", InstanceState.Stopped, ""),   // the guest powered itself off
            ("i-failed", InstanceState.Stopped, ""),    // a crashed VM stays down; the error stays explained
            ("i-booted", InstanceState.Running, "")), default);

        Assert.Equal((InstanceState.Starting, InstanceState.Running, ""), await StoredAsync("i-starting"));
        Assert.Equal((InstanceState.Stopping, InstanceState.Stopped, ""), await StoredAsync("i-stopping"));
        Assert.Equal((InstanceState.Stopped, InstanceState.Stopped, "the guest shut itself down"), await StoredAsync("i-running"));
        Assert.Equal((InstanceState.Error, InstanceState.Running, "qemu exited with status 1"), await StoredAsync("i-failed"));
        Assert.Equal((InstanceState.Running, InstanceState.Running, ""), await StoredAsync("i-booted"));
    }

    [Fact]
    public async Task Apply_ErrorReport_KeepsTheAgentsReason_AndAnotherHostsReportIsIgnored()
    {
        await VmAsync("i-1", InstanceState.Running, InstanceState.Running);

        await new StatusApplier(_store).ApplyAsync("h1", Report(("i-1", InstanceState.Error, "qemu exited with status 1")), default);
        await new StatusApplier(_store).ApplyAsync("h9", Report(("i-1", InstanceState.Running, "")), default);

        Assert.Equal((InstanceState.Error, InstanceState.Running, "qemu exited with status 1"), await StoredAsync("i-1"));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
