using System.Text;
using Infra.Cloud.EndToEnd.Tests.Support;
using Infra.TestGuest;

namespace Infra.Cloud.EndToEnd.Tests;

/// <summary>
/// A volume attached to and detached from a running instance with infractl, through the shipped
/// controller and agent: the guest sees the disk arrive (its block device and its first line) and
/// leave, without a restart (same qemu PID). The guest is the test guest, booted by the agent's test
/// hook under TCG, watching for vdb and running a shell on its console.
/// </summary>
public sealed class HotplugCloudTests : IAsyncLifetime
{
    // PCIe hot-plug under TCG on a busy 2-core machine can take tens of seconds.
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(150);
    CloudHost _cloud = null!;
    Infractl Ctl => _cloud.Ctl;

    public async Task InitializeAsync()
    {
        var image = await TestGuestImage.EnsureBuiltAsync();
        _cloud = await CloudHost.StartAsync(new Dictionary<string, string>
        {
            ["INFRA_AGENT_TEST_GUEST_KERNEL"] = image.Kernel,
            ["INFRA_AGENT_TEST_GUEST_INITRD"] = image.Initrd,
            ["INFRA_AGENT_TEST_GUEST_APPEND"] = "console=ttyS0 panic=-1 no_timer_check quiet infra.watch=vdb infra.shell=1",
        });
    }

    public async Task DisposeAsync() => await _cloud.DisposeAsync();

    string RawFile(string name, string firstLine)
    {
        var path = Path.Combine(_cloud.Dir, name + ".raw");
        var data = new byte[1 << 20];
        Encoding.ASCII.GetBytes(firstLine + "\n").CopyTo(data, 0);
        File.WriteAllBytes(path, data);
        return path;
    }

    async Task<string> WaitForLogAsync(string instance, string text)
    {
        var deadline = DateTime.UtcNow + Wait;
        CtlResult last;
        do
        {
            last = await Ctl.RunAsync("instance", "log", instance);
            if (last.Code == 0 && last.Out.Contains(text, StringComparison.Ordinal)) return last.Out;
            await Task.Delay(500);
        } while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"instance log never showed '{text}': {last}\n{_cloud.Logs()}");
    }

    /// <summary>The guest's block devices, as its shell lists them on the console.</summary>
    async Task<string> GuestBlockDevicesAsync(string instance)
    {
        var r = await Ctl.RunWithInputAsync("echo BLK-$((1+1)) $(ls /sys/block | tr '\\n' ' ') END\n", "instance", "console", instance, "--linger", "3s");
        Assert.True(r.Code == 0, r.ToString());
        var at = r.Out.LastIndexOf("BLK-2 ", StringComparison.Ordinal);
        Assert.True(at >= 0, $"the guest's shell did not answer: {r}");
        return r.Out[(at + 6)..r.Out.IndexOf(" END", at, StringComparison.Ordinal)];
    }

    [Fact]
    public async Task AttachVolume_ToARunningInstance_GuestSeesTheDisk_DetachTakesItAway_WithoutARestart()
    {
        var tenant = Infractl.Id(await Ctl.JsonAsync("tenant", "create", "acme"));
        var bootImage = Infractl.Id(await Ctl.JsonAsync("image", "import", RawFile("boot", "BOOT"), "-n", "boot", "-t", tenant, "--format", "raw", "--no-progress"));
        var marker = "HOTMARK-" + Guid.NewGuid().ToString("N")[..8];
        var dataImage = Infractl.Id(await Ctl.JsonAsync("image", "import", RawFile("data", marker), "-n", "data", "-t", tenant, "--format", "raw", "--no-progress"));
        var instance = Infractl.Id(await Ctl.JsonAsync("instance", "create", "-t", tenant, "-n", "vm1", "--vcpus", "1", "--cpu-mhz", "2000", "--memory", "256M", "--image", bootImage));
        await Ctl.WaitAsync("instance", instance, i => i.GetProperty("state").GetString() == "INSTANCE_STATE_RUNNING", Wait, _cloud.Logs);
        await WaitForLogAsync(instance, "GUEST-WATCHING vdb");
        await WaitForLogAsync(instance, "GUEST-SHELL");
        var pid = _cloud.QemuPid(instance);
        Assert.DoesNotContain("vdb", await GuestBlockDevicesAsync(instance));

        var volume = Infractl.Id(await Ctl.JsonAsync("volume", "create", "-t", tenant, "-n", "data", "--image", dataImage));
        await Ctl.WaitAsync("volume", volume, v => v.GetProperty("state").GetString() == "VOLUME_STATE_AVAILABLE", Wait, _cloud.Logs);
        var attached = await Ctl.RunAsync("instance", "attach-volume", instance, volume);
        Assert.True(attached.Code == 0, attached.ToString());
        // The guest read the disk's first line: the device is there and its back end answers.
        await WaitForLogAsync(instance, $"GUEST-HOTDISK vdb={marker}");
        Assert.Contains("vdb", await GuestBlockDevicesAsync(instance));

        var detached = await Ctl.RunAsync("instance", "detach-volume", instance, volume);
        Assert.True(detached.Code == 0, detached.ToString());
        await WaitForLogAsync(instance, "GUEST-HOTDISK-GONE vdb");
        Assert.DoesNotContain("vdb", await GuestBlockDevicesAsync(instance));
        await Ctl.WaitAsync("volume", volume, v => v.GetProperty("state").GetString() == "VOLUME_STATE_AVAILABLE", Wait, _cloud.Logs);
        Assert.Equal(pid, _cloud.QemuPid(instance));
        Assert.Equal("INSTANCE_STATE_RUNNING", (await Ctl.JsonAsync("instance", "get", instance)).GetProperty("state").GetString());
    }
}
