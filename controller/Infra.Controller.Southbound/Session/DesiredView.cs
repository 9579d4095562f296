using Infra.V1;

namespace Infra.Controller.Southbound.Session;

/// <summary>
/// The parts of an object that desired state depends on: everything except what agents and the
/// detector write back (observed state, reasons, heartbeats, applied versions, timestamps). Two
/// versions of an object with equal views give every host the same desired state, so the change
/// feed does not wake sessions for them. DELETING is desired state (it removes things), so it stays.
/// </summary>
internal static class DesiredView
{
    public static string Of(Host h) => h.Inventory?.TunnelIp ?? "";

    public static Instance Of(Instance i)
    {
        var v = i.Clone();
        v.Meta = new ObjectMeta { Name = i.Meta?.Name ?? "" }; // the VM's name is in its VmSpec

        v.StateReason = "";
        if (v.State != InstanceState.Deleting) v.State = InstanceState.Unspecified;
        return v;
    }

    public static Port Of(Port p)
    {
        var v = p.Clone();
        v.Meta = null;
        v.Status = PortStatus.Unspecified;
        v.StatusReason = "";
        return v;
    }

    public static Volume Of(Volume vol)
    {
        var v = vol.Clone();
        v.Meta = null;
        v.StateReason = "";
        if (v.State != VolumeState.Deleting) v.State = VolumeState.Unspecified;
        return v;
    }
}
