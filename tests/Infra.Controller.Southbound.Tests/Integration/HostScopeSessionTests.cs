using System.Text;
using Infra.Controller.Southbound.Session;
using Infra.Controller.Southbound.Tests.Support;
using Infra.Store;
using Infra.V1;
using static Infra.Controller.Southbound.Tests.Support.Objects;

namespace Infra.Controller.Southbound.Tests.Integration;

/// <summary>
/// A host's reports and nacks, over a real session, only reach objects placed on it: naming another
/// host's instance, volume or port (or an unbound port) changes nothing and is logged; its own objects
/// are updated with the agent's text capped.
/// </summary>
public sealed class HostScopeSessionTests
{
    static Volume Volume(string id, string host, string attachedTo = "") => new()
    {
        Meta = new ObjectMeta { Id = id }, TenantId = "t1", SizeBytes = 1 << 30, HostId = host, AttachedInstanceId = attachedTo,
        State = VolumeState.InUse,
    };

    [Fact]
    public async Task ReportsAndNacksAboutAnotherHostsObjects_AreIgnoredAndLogged_OwnObjectsGetCappedText()
    {
        var logs = new RecordingLogs();
        await using var server = await SouthboundServer.StartAsync(logs: logs);
        await Seed.TenantAsync(server.Store);
        await Seed.VmAsync(server.Store, "i1", "p1", "h1", 1);
        await Seed.VmAsync(server.Store, "i2", "p2", "h2", 2);
        await server.Store.PutAsync(Volume("vol-h2", "h2"));
        await server.Store.PutAsync(Volume("vol-shared", "", attachedTo: "i2"));
        await server.Store.PutAsync(Volume("vol-h1", "h1"));
        await server.Store.PutAsync(Port("p-free", "t1", "", "", "02:00:00:00:00:99", "10.0.0.99"));
        await using var h1 = await TestAgent.ConnectAsync(server, "h1", "127.0.0.11");
        await h1.WelcomeAsync();
        var full = await h1.NextDesiredAsync();

        var foreign = new StatusReport { Full = true };
        foreign.Vms.Add(new VmStatus { Id = "i2", State = InstanceState.Error, Reason = "owned by h1" });
        foreign.Volumes.Add(new VolumeStatus { Id = "vol-h2", State = VolumeState.Error, Reason = "owned by h1" });
        foreign.Volumes.Add(new VolumeStatus { Id = "vol-shared", State = VolumeState.Error, Reason = "owned by h1" });
        foreign.Ports.Add(new PortState { Id = "p2", Ofport = -1, Error = "owned by h1" });
        foreign.Ports.Add(new PortState { Id = "p-free", Ofport = 1000, Up = true });
        await h1.SendAsync(new AgentMessage { Status = foreign });
        var nack = new Nack { Version = full.Version, Error = new string('n', 100_000) };
        nack.Errors.Add(new ResourceError { Ref = new ResourceRef { Kind = DesiredKind.Vm, Id = "i2" }, Error = "owned by h1" });
        nack.Errors.Add(new ResourceError { Ref = new ResourceRef { Kind = DesiredKind.Volume, Id = "vol-h2" }, Error = "owned by h1" });
        nack.Errors.Add(new ResourceError { Ref = new ResourceRef { Kind = DesiredKind.Port, Id = "p2" }, Error = "owned by h1" });
        nack.Errors.Add(new ResourceError { Ref = new ResourceRef { Kind = DesiredKind.Volume, Id = "vol-h1" }, Error = new string('v', 5000) });
        await h1.SendAsync(new AgentMessage { Nack = nack });
        // Last, about its own objects: once these land, everything before has been handled (one read loop).
        var own = new StatusReport();
        own.Vms.Add(new VmStatus { Id = "i1", State = InstanceState.Error, Reason = string.Concat(Enumerable.Repeat("é", 3000)) });
        own.Ports.Add(new PortState { Id = "p1", Ofport = -1, Error = new string('x', 1_000_000) });
        await h1.SendAsync(new AgentMessage { Status = own });

        var p1 = await Eventually.StoreAsync(server.Store, Kinds.Port, "p1", p => p.Status == PortStatus.Error, "p1 ERROR");
        var i1 = await Eventually.StoreAsync(server.Store, Kinds.Instance, "i1", i => i.State == InstanceState.Error, "i1 ERROR");
        var volH1 = (await ObjectStore.ReadAsync(server.Store, Kinds.Volume, "vol-h1", default))!;
        foreach (var text in new[] { p1.StatusReason, i1.StateReason, volH1.StateReason })
        {
            Assert.InRange(Encoding.UTF8.GetByteCount(text), AgentText.MaxBytes - 4, AgentText.MaxBytes);
            Assert.EndsWith(AgentText.Marker, text);
        }
        Assert.Equal(VolumeState.Error, volH1.State);
        var lastNack = (await server.Store.GetAsync(StoreLayout.LastNack("h1")))!;
        Assert.True(lastNack.Value.Length <= AgentText.MaxBytes, $"last nack kept {lastNack.Value.Length} bytes");

        var i2 = (await ObjectStore.ReadAsync(server.Store, Kinds.Instance, "i2", default))!;
        Assert.Equal((InstanceState.Scheduled, ""), (i2.State, i2.StateReason));
        foreach (var id in new[] { "vol-h2", "vol-shared" })
            Assert.Equal((VolumeState.InUse, ""), await VolumeAsync(server, id));
        var p2 = (await ObjectStore.ReadAsync(server.Store, Kinds.Port, "p2", default))!;
        Assert.Equal((PortStatus.Unspecified, "", "h2"), (p2.Status, p2.StatusReason, p2.HostId));
        var free = (await ObjectStore.ReadAsync(server.Store, Kinds.Port, "p-free", default))!;
        Assert.Equal((PortStatus.Unspecified, ""), (free.Status, free.HostId));

        var ignored = logs.Entries.Where(e => e.EventId == 2011).Select(e => e.Message).ToList();
        Assert.Contains("host h1: ignored its status report about instance i2: it is placed on host h2", ignored);
        Assert.Contains("host h1: ignored its status report about volume vol-h2: it is local to host h2", ignored);
        Assert.Contains("host h1: ignored its status report about volume vol-shared: its instance i2 is placed on host h2", ignored);
        Assert.Contains("host h1: ignored its status report about port p2: its instance i2 is placed on host h2", ignored);
        Assert.Contains("host h1: ignored its status report about port p-free: it is attached to no instance", ignored);
        Assert.Contains("host h1: ignored its nack about instance i2: it is placed on host h2", ignored);
        Assert.Contains("host h1: ignored its nack about volume vol-h2: it is local to host h2", ignored);
        Assert.Contains("host h1: ignored its nack about port p2: its instance i2 is placed on host h2", ignored);
        Assert.Equal(8, ignored.Count);
    }

    static async Task<(VolumeState, string)> VolumeAsync(SouthboundServer server, string id)
    {
        var v = (await ObjectStore.ReadAsync(server.Store, Kinds.Volume, id, default))!;
        return (v.State, v.StateReason);
    }
}
