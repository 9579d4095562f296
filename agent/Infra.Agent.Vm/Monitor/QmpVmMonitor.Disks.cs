using System.Text.Json;
using System.Text.Json.Nodes;
using Infra.Qmp;

namespace Infra.Agent.Vm.Monitor;

/// <summary>
/// Hot-plug of vhost-user-blk disks. A disk is two qemu objects: the chardev that connects to the
/// storage daemon's socket and the PCI device on a root port. Unplug asks the guest (device_del) and
/// waits for DEVICE_DELETED, which qemu sends only once the guest released the device; only then is
/// the chardev removed.
/// </summary>
public sealed partial class QmpVmMonitor
{
    /// <inheritdoc/>
    /// <remarks>
    /// Idempotent, because the agent can die between qemu's answer and the record on disk: a chardev or
    /// device of the same id that qemu already holds (the previous agent's attach) counts as done.
    /// </remarks>
    public async Task AttachDiskAsync(string chardevId, string deviceId, string socketPath, string bus, CancellationToken ct)
    {
        var added = true;
        try
        {
            await Client.ExecuteAsync("chardev-add", new JsonObject
            {
                ["id"] = chardevId,
                ["backend"] = new JsonObject
                {
                    ["type"] = "socket",
                    ["data"] = new JsonObject
                    {
                        ["addr"] = new JsonObject { ["type"] = "unix", ["data"] = new JsonObject { ["path"] = socketPath } },
                        ["server"] = false,
                    },
                },
            }, ct: ct).ConfigureAwait(false);
        }
        catch (QmpCommandException e) when (IsDuplicate(e)) { added = false; }
        try
        {
            await Client.ExecuteAsync("device_add", new JsonObject
            {
                ["driver"] = "vhost-user-blk-pci", ["id"] = deviceId, ["chardev"] = chardevId, ["bus"] = bus, ["num-queues"] = 1,
            }, ct: ct).ConfigureAwait(false);
        }
        catch (QmpCommandException e) when (IsDuplicate(e)) { /* plugged in by the previous agent */ }
        catch
        {
            if (added)
                try { await Client.ExecuteAsync("chardev-remove", new JsonObject { ["id"] = chardevId }, ct: CancellationToken.None).ConfigureAwait(false); }
                catch (Exception) { /* the device_add failure is the error to report */ }
            throw;
        }
    }

    // qemu 7.2: "Chardev with id 'x' already exists", "Duplicate device ID 'x'".
    private static bool IsDuplicate(QmpCommandException e) =>
        e.Desc.Contains("already exists", StringComparison.OrdinalIgnoreCase) || e.Desc.Contains("Duplicate", StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public async Task DetachDiskAsync(string chardevId, string deviceId, TimeSpan timeout, CancellationToken ct)
    {
        using var events = Client.Subscribe(n => n == "DEVICE_DELETED");
        try { await Client.ExecuteAsync("device_del", new JsonObject { ["id"] = deviceId }, ct: ct).ConfigureAwait(false); }
        catch (QmpCommandException e) when (e.ErrorClass == "DeviceNotFound") { await RemoveChardevAsync(chardevId, ct).ConfigureAwait(false); return; }
        // A retry after a timed-out unplug: the first request is still pending in the guest; keep waiting for it.
        catch (QmpCommandException e) when (e.Message.Contains("in the process of unplug", StringComparison.OrdinalIgnoreCase)) { }
        try
        {
            await events.WaitForAsync("DEVICE_DELETED", timeout, ct,
                e => e.Data.ValueKind == JsonValueKind.Object && e.Data.TryGetProperty("device", out var d) && d.GetString() == deviceId).ConfigureAwait(false);
        }
        catch (QmpTimeoutException e) { throw new TimeoutException($"no DEVICE_DELETED for {deviceId} within {timeout.TotalSeconds:0} s", e); }
        await RemoveChardevAsync(chardevId, ct).ConfigureAwait(false);
    }

    private async Task RemoveChardevAsync(string chardevId, CancellationToken ct)
    {
        try { await Client.ExecuteAsync("chardev-remove", new JsonObject { ["id"] = chardevId }, ct: ct).ConfigureAwait(false); }
        catch (QmpCommandException e) when (e.ErrorClass == "GenericError" && e.Message.Contains("not found", StringComparison.OrdinalIgnoreCase)) { /* already removed */ }
    }
}
