using System.Text.Json;
using System.Text.Json.Nodes;
using Infra.Agent.Compute.Qemu;
using Infra.Agent.Storage.Volumes;
using Infra.Agent.Vm.Monitor;
using Infra.Qmp;

namespace Infra.Agent.Vm.Hosting;

/// <summary>
/// Hot-plug of volumes into a running VM. A volume gets its own daemon as at start, then qemu is
/// told about the socket (chardev-add) and the disk (device_add vhost-user-blk-pci on a free PCIe
/// root port, see <see cref="Compute.Model.VmDefinition.HotplugSlots"/>). Unplug asks the guest
/// (device_del) and waits for DEVICE_DELETED, which qemu sends only once the guest let go of the
/// device; only then are the chardev and the daemon removed, so a guest never loses a disk it is
/// still using.
/// </summary>
public sealed partial class VmHost
{
    /// <summary>The qemu ids of a hot-plug slot's chardev and device.</summary>
    internal static (string Chardev, string Device) HotplugIds(int slot) => ($"hvub{slot}", $"hdisk{slot}");

    /// <summary>Serves <paramref name="spec"/> and plugs it into running VM <paramref name="vmId"/>; returns the slot used.</summary>
    public async Task<int> AttachVolumeAsync(string vmId, VolumeSpec spec, CancellationToken ct = default)
    {
        var rec = Vms.Store.Load(vmId) ?? throw new InvalidOperationException($"VM {vmId} is not known on this host");
        if (!_attached.TryGetValue(vmId, out var vols)) throw new InvalidOperationException($"VM {vmId} was not started by this agent run; start it through the VM host to hot-plug");
        if (vols.All().Any(v => v.Spec.Id == spec.Id)) throw new InvalidOperationException($"volume {spec.Id} is already attached to VM {vmId}");
        var slot = Enumerable.Range(0, rec.Definition.HotplugSlots).Cast<int?>().FirstOrDefault(s => !vols.HotPlugged.ContainsKey(s!.Value))
            ?? throw new InvalidOperationException($"VM {vmId} has no free hot-plug slot ({rec.Definition.HotplugSlots} in all); start it with more HotplugSlots");

        var volume = await _volumes.ServeOrAdoptAsync(spec, ct).ConfigureAwait(false);
        var (chardev, device) = HotplugIds(slot);
        try
        {
            await Vms.WithMonitorAsync(vmId, async m =>
            {
                var qmp = ((QmpVmMonitor)m).Client;
                await qmp.ExecuteAsync("chardev-add", new JsonObject
                {
                    ["id"] = chardev,
                    ["backend"] = new JsonObject
                    {
                        ["type"] = "socket",
                        ["data"] = new JsonObject
                        {
                            ["addr"] = new JsonObject { ["type"] = "unix", ["data"] = new JsonObject { ["path"] = volume.VhostUserSocket } },
                            ["server"] = false,
                        },
                    },
                }, ct: ct).ConfigureAwait(false);
                try
                {
                    await qmp.ExecuteAsync("device_add", new JsonObject
                    {
                        ["driver"] = "vhost-user-blk-pci", ["id"] = device, ["chardev"] = chardev,
                        ["bus"] = QemuCommandLine.HotplugPort(slot), ["num-queues"] = 1,
                    }, ct: ct).ConfigureAwait(false);
                }
                catch
                {
                    await QuietlyAsync(() => qmp.ExecuteAsync("chardev-remove", new JsonObject { ["id"] = chardev }, ct: CancellationToken.None)).ConfigureAwait(false);
                    throw;
                }
                return true;
            }, ct).ConfigureAwait(false);
        }
        catch
        {
            await QuietlyAsync(() => volume.DisposeAsync().AsTask()).ConfigureAwait(false);
            throw;
        }
        vols.HotPlugged[slot] = volume;
        LogAttached(vmId, spec.Id, device, QemuCommandLine.HotplugPort(slot));
        return slot;
    }

    /// <summary>Unplugs a hot-plugged volume (the guest must release it), then stops its daemon. The volume's file stays.</summary>
    public async Task DetachVolumeAsync(string vmId, string volumeId, CancellationToken ct = default)
    {
        if (!_attached.TryGetValue(vmId, out var vols)) throw new InvalidOperationException($"VM {vmId} has no volumes attached by this agent run");
        var (slot, volume) = vols.HotPlugged.FirstOrDefault(kv => kv.Value.Spec.Id == volumeId) is { Value: not null } hit
            ? (hit.Key, hit.Value)
            : throw new InvalidOperationException(vols.Boot.Any(v => v.Spec.Id == volumeId)
                ? $"volume {volumeId} is a boot volume of VM {vmId}; stop the VM to remove it"
                : $"volume {volumeId} is not attached to VM {vmId}");
        var (chardev, device) = HotplugIds(slot);
        await Vms.WithMonitorAsync(vmId, async m =>
        {
            var qmp = ((QmpVmMonitor)m).Client;
            using var events = qmp.Subscribe(n => n == "DEVICE_DELETED");
            try { await qmp.ExecuteAsync("device_del", new JsonObject { ["id"] = device }, ct: ct).ConfigureAwait(false); }
            catch (QmpCommandException e) when (e.ErrorClass == "DeviceNotFound") { return true; /* already gone */ }
            try
            {
                await events.WaitForAsync("DEVICE_DELETED", _options.DeviceDeleteTimeout, ct,
                    e => e.Data.ValueKind == JsonValueKind.Object && e.Data.TryGetProperty("device", out var d) && d.GetString() == device).ConfigureAwait(false);
            }
            catch (QmpTimeoutException)
            {
                throw new TimeoutException($"VM {vmId}: the guest did not release disk {device} within {_options.DeviceDeleteTimeout.TotalSeconds:0} s (no PCIe hot-plug support, or the disk is busy); it stays attached, try again or stop the VM");
            }
            await qmp.ExecuteAsync("chardev-remove", new JsonObject { ["id"] = chardev }, ct: ct).ConfigureAwait(false);
            return true;
        }, ct).ConfigureAwait(false);
        vols.HotPlugged.TryRemove(slot, out _);
        await volume.DisposeAsync().ConfigureAwait(false);
        LogDetached(vmId, volumeId);
    }
}
