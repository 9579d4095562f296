using Infra.Agent.Compute.Qemu;

namespace Infra.Agent.Compute.Manager;

/// <summary>
/// Hot-plug on a running VM, as the reconciler plans it. The record is written after qemu confirmed
/// each step, so a restarted agent knows which root ports hold which disks; a disk counts as
/// unplugged only once qemu reported DEVICE_DELETED (the guest let go), so a guest never loses a disk
/// it is still using.
/// </summary>
public sealed partial class VmManager
{
    /// <summary>Plugs the disk served at <paramref name="socket"/> into root port <paramref name="slot"/> of running VM <paramref name="id"/>.</summary>
    public Task AttachDiskAsync(string id, string socket, int slot, CancellationToken ct) => Gated(id, async () =>
    {
        var rec = _store.Load(id) ?? throw new InvalidOperationException($"VM {id} is not known on this host");
        if (slot < 0 || slot >= rec.Definition.HotplugSlots)
            throw new InvalidOperationException($"VM {id} has no hot-plug root port {slot} ({rec.Definition.HotplugSlots} in all); the disk is added at its next start");
        if (rec.HotDisks.Any(h => h.Slot == slot)) throw new InvalidOperationException($"VM {id}: root port {slot} already holds a disk");
        var held = await HeldAsync(id, ct);
        var (chardev, device) = HotDisk.IdsOf(slot);
        // qemu runs as the unprivileged account by now and connects to the socket with its rights.
        _qemuUser?.GiveSocket(socket);
        await held.Monitor.AttachDiskAsync(chardev, device, socket, QemuCommandLine.HotplugPort(slot), ct);
        _store.Save(rec with { HotDisks = [.. rec.HotDisks, new HotDisk(slot, socket)] });
        LogDiskAttached(id, socket, QemuCommandLine.HotplugPort(slot));
    }, ct);

    /// <summary>Unplugs the disk in root port <paramref name="slot"/>; fails (and the disk stays) when the guest does not let go in time.</summary>
    public Task DetachDiskAsync(string id, int slot, CancellationToken ct) => Gated(id, async () =>
    {
        var rec = _store.Load(id) ?? throw new InvalidOperationException($"VM {id} is not known on this host");
        if (rec.HotDisks.FirstOrDefault(h => h.Slot == slot) is not { } disk) return;
        var held = await HeldAsync(id, ct);
        var (chardev, device) = HotDisk.IdsOf(slot);
        try { await held.Monitor.DetachDiskAsync(chardev, device, _options.DeviceDeleteTimeout, ct); }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"VM {id}: the guest did not release disk {device} within {_options.DeviceDeleteTimeout.TotalSeconds:0} s (no PCIe hot-plug in the guest, or the disk is busy); it stays attached and the unplug is retried", e);
        }
        _store.Save(rec with { HotDisks = rec.HotDisks.Where(h => h.Slot != slot).ToList() });
        LogDiskDetached(id, disk.Socket, QemuCommandLine.HotplugPort(slot));
    }, ct);
}
