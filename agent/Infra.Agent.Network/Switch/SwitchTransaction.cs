using Infra.Ovsdb.Transact;
using Infra.Ovsdb.Values;

namespace Infra.Agent.Network.Switch;

/// <summary>
/// Turns a plan into the operations of one OVSDB transaction, so ovs-vswitchd sees all of it or
/// none of it. Like ovs-vsctl, it bumps Open_vSwitch.next_cfg and selects it back; the caller waits
/// until cur_cfg reaches that number, which is when ovs-vswitchd has applied the change.
/// Removing a port only unlinks it from the bridge: Port and Interface are non-root tables and the
/// server garbage-collects them.
/// </summary>
public static class SwitchTransaction
{
    public static List<OvsdbOperation> Build(string bridgeName, IReadOnlyList<SwitchAction> actions)
    {
        var ops = new List<OvsdbOperation> { new CommentOp($"infra-agent: {actions.Count} change(s) to {bridgeName}") };
        var bridgeWhere = new[] { OvsdbCondition.Equal("name", OvsdbValue.Of(bridgeName)) };
        var created = actions.OfType<CreateBridge>().FirstOrDefault();
        var newPorts = new List<OvsdbAtom>();
        var n = 0;
        foreach (var a in actions)
        {
            switch (a)
            {
                case UpdateBridge u:
                    ops.Add(new UpdateOp("Bridge", [OvsdbCondition.UuidIs(u.Uuid)], new Dictionary<string, OvsdbValue>
                    {
                        ["datapath_type"] = OvsdbValue.Of(u.DatapathType),
                        ["fail_mode"] = OvsdbValue.Of("secure"),
                    }));
                    ops.Add(new MutateOp("Bridge", [OvsdbCondition.UuidIs(u.Uuid)], [
                        OvsdbMutation.Delete("other_config", OvsdbValue.SetOf(u.OtherConfig.Keys.Select(k => (OvsdbAtom)OvsdbValue.Of(k)).ToArray())),
                        OvsdbMutation.Insert("other_config", OvsdbValue.MapOf(u.OtherConfig)),
                    ]));
                    break;
                case AddPort p:
                    var (iface, port) = ($"i{n}", $"p{n}"); n++;
                    ops.Add(new InsertOp("Interface", InterfaceRow(p.Shape), iface));
                    ops.Add(new InsertOp("Port", new Dictionary<string, OvsdbValue>
                    {
                        ["name"] = OvsdbValue.Of(p.Shape.Name),
                        ["interfaces"] = OvsdbValue.SetOf(new OvsdbNamedUuid(iface)),
                        ["external_ids"] = OvsdbValue.MapOf(p.Shape.ExternalIds),
                    }, port));
                    newPorts.Add(new OvsdbNamedUuid(port));
                    break;
                case UpdateInterface u:
                    ops.Add(new UpdateOp("Interface", [OvsdbCondition.UuidIs(u.InterfaceUuid)], InterfaceRow(u.Shape)));
                    ops.Add(new MutateOp("Port", [OvsdbCondition.UuidIs(u.PortUuid)], [
                        OvsdbMutation.Delete("external_ids", OvsdbValue.SetOf(u.Shape.ExternalIds.Keys.Select(k => (OvsdbAtom)OvsdbValue.Of(k)).ToArray())),
                        OvsdbMutation.Insert("external_ids", OvsdbValue.MapOf(u.Shape.ExternalIds)),
                    ]));
                    break;
                case RemovePort r:
                    ops.Add(new MutateOp("Bridge", bridgeWhere, [OvsdbMutation.Delete("ports", OvsdbValue.SetOf(new OvsdbUuid(r.PortUuid)))]));
                    break;
            }
        }
        if (created is not null)
        {
            // The bridge's own internal port, as ovs-vsctl add-br makes it.
            ops.Add(new InsertOp("Interface", new Dictionary<string, OvsdbValue> { ["name"] = OvsdbValue.Of(created.Name), ["type"] = OvsdbValue.Of("internal") }, "brif"));
            ops.Add(new InsertOp("Port", new Dictionary<string, OvsdbValue> { ["name"] = OvsdbValue.Of(created.Name), ["interfaces"] = OvsdbValue.SetOf(new OvsdbNamedUuid("brif")) }, "brport"));
            newPorts.Add(new OvsdbNamedUuid("brport"));
            ops.Add(new InsertOp("Bridge", new Dictionary<string, OvsdbValue>
            {
                ["name"] = OvsdbValue.Of(created.Name),
                ["datapath_type"] = OvsdbValue.Of(created.DatapathType),
                // secure: no NORMAL flow at creation and none on controller loss; the data plane is deny by default.
                ["fail_mode"] = OvsdbValue.Of("secure"),
                ["other_config"] = OvsdbValue.MapOf(created.OtherConfig),
                ["ports"] = new OvsdbSet(newPorts),
            }, "bridge"));
            ops.Add(new MutateOp("Open_vSwitch", [], [OvsdbMutation.Insert("bridges", OvsdbValue.SetOf(new OvsdbNamedUuid("bridge")))]));
        }
        else if (newPorts.Count > 0)
            ops.Add(new MutateOp("Bridge", bridgeWhere, [OvsdbMutation.Insert("ports", new OvsdbSet(newPorts))]));
        ops.Add(new MutateOp("Open_vSwitch", [], [OvsdbMutation.Add("next_cfg", 1)]));
        ops.Add(new SelectOp("Open_vSwitch", [], ["next_cfg"]));
        return ops;
    }

    private static Dictionary<string, OvsdbValue> InterfaceRow(PortShape s) => new()
    {
        ["name"] = OvsdbValue.Of(s.Name),
        ["type"] = OvsdbValue.Of(s.Type),
        ["options"] = OvsdbValue.MapOf(s.Options),
        ["ofport_request"] = s.OfPortRequest is { } o ? OvsdbValue.Of((long)o) : OvsdbValue.EmptySet,
        ["external_ids"] = OvsdbValue.MapOf(s.ExternalIds),
    };
}
