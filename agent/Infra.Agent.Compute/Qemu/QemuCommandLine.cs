using System.Globalization;
using Infra.Agent.Compute.Model;

namespace Infra.Agent.Compute.Qemu;

/// <summary>
/// Builds qemu's argv from a resolved VM. Pure: no file or process is touched, so the whole command
/// line is covered by golden tests.
///
/// Choices, and why:
/// - <c>-nodefaults -no-user-config</c>: only the devices listed here exist, whatever the host's
///   qemu config or machine defaults say; <c>-nographic</c> so no display backend is ever opened.
/// - Guest RAM is a shared memfd backend: vhost-user-blk (qemu-storage-daemon) maps guest memory
///   and cannot work with private anonymous RAM.
/// - Disks are vhost-user-blk sockets in boot order (bootindex 0, 1, ...).
/// - NICs are persistent taps the agent made, brought up and put on br-int before qemu starts; qemu
///   only opens them (<c>script=no,downscript=no</c>: nothing to run, nothing to undo, the tap outlives
///   qemu). <c>vnet_hdr=off</c>: with a virtio-net header the guest hands over partially checksummed and
///   segmented frames, which OVS's userspace datapath reading the tap's other end does not finish.
///   Tap works with both the kernel and the userspace datapath; vhost-user net would need the
///   userspace (DPDK) datapath on every host.
/// - QMP and the guest agent are unix sockets in the VM's state directory, as servers that do not
///   wait, so a restarted agent reconnects to a running VM. So is the serial console: the agent
///   reads it always and keeps a capped log (a crash leaves its last words on disk, a chatty guest
///   cannot fill it); while no agent is connected qemu drops the output instead of stalling the guest.
/// - <c>-name guest=&lt;id&gt;</c> makes the VM id visible in /proc/&lt;pid&gt;/cmdline (used to
///   check that a pidfile really names our qemu) and <c>debug-threads=on</c> names vCPU threads.
/// - Confinement: <c>-sandbox on</c> installs qemu's seccomp filter (no obsolete syscalls, no
///   fork/exec, no scheduler or resource changes); set*uid stays allowed only because the filter is
///   installed before <c>-runas</c> drops to the unprivileged account, which happens after every
///   device is opened and before the guest runs.
/// </summary>
public static class QemuCommandLine
{
    /// <summary>The argv (without the binary) for <paramref name="vm"/>.</summary>
    public static IReadOnlyList<string> Build(VmDefinition vm, QemuLaunch launch)
    {
        var errors = vm.Validate();
        if (errors.Count > 0)
            throw new ArgumentException($"VM {vm.Id} cannot be started: {string.Join("; ", errors)}", nameof(vm));

        var p = launch.Paths;
        var mem = vm.MemoryMib.ToString(CultureInfo.InvariantCulture) + "M";
        var a = new List<string>
        {
            "-name", $"guest={Escape(vm.Id)},debug-threads=on",
            "-no-user-config", "-nodefaults", "-nographic",
            "-machine", $"q35,accel={(launch.Accelerator == Accelerator.Kvm ? "kvm" : "tcg")},memory-backend=mem0",
        };
        if (launch.Accelerator == Accelerator.Kvm) a.AddRange(["-cpu", "host"]);
        a.AddRange([
            "-smp", vm.Vcpus.ToString(CultureInfo.InvariantCulture),
            "-m", mem,
            "-object", $"memory-backend-memfd,id=mem0,size={mem},share=on",
            "-pidfile", p.PidFile,
            "-chardev", $"socket,id=qmp,path={Escape(p.QmpSocket)},server=on,wait=off",
            "-mon", "chardev=qmp,mode=control",
            "-chardev", $"socket,id=serial0,path={Escape(p.ConsoleSocket)},server=on,wait=off",
            "-serial", "chardev:serial0",
            "-device", "virtio-serial-pci,id=vser0",
            "-chardev", $"socket,id=qga0,path={Escape(p.GuestAgentSocket)},server=on,wait=off",
            "-device", "virtserialport,bus=vser0.0,chardev=qga0,name=org.qemu.guest_agent.0",
        ]);
        for (var i = 0; i < vm.DiskSockets.Count; i++)
        {
            a.AddRange(["-chardev", $"socket,id=vub{i},path={Escape(vm.DiskSockets[i])}"]);
            // With a kernel on the command line nothing boots from disk, so no bootindex is given.
            var boot = vm.Kernel is null ? $",bootindex={i}" : "";
            // One virtqueue per vCPU up to 16: the storage daemon's export offers 16 (StorageDaemon.VhostUserQueues).
            a.AddRange(["-device", $"vhost-user-blk-pci,id=disk{i},chardev=vub{i},num-queues={Math.Min(vm.Vcpus, 16)}{boot}"]);
        }
        // Root ports come after the cold-plugged devices so those keep their PCI addresses.
        for (var i = 0; i < vm.HotplugSlots; i++)
            a.AddRange(["-device", $"pcie-root-port,id={HotplugPort(i)},chassis={i + 1},bus=pcie.0"]);
        for (var i = 0; i < vm.Nics.Count; i++)
        {
            var nic = vm.Nics[i];
            a.AddRange(["-netdev", $"tap,id=net{i},ifname={nic.InterfaceName},script=no,downscript=no,vnet_hdr=off"]);
            a.AddRange(["-device", $"virtio-net-pci,id=nic{i},netdev=net{i},mac={nic.MacAddress.ToLowerInvariant()}"]);
        }
        if (vm.ConfigDrive is { } cd)
        {
            // The config drive: a read-only CD on virtio-scsi (Debian's cloud kernel has no AHCI), at
            // target 0 LUN 0 where a guest looks first. A CD, not a disk, so that the medium can be
            // swapped live (blockdev-change-medium) when the drive is rebuilt.
            a.AddRange(["-device", "virtio-scsi-pci,id=scsi0"]);
            a.AddRange(["-drive", $"if=none,id={ConfigDriveMedium.DeviceId}-drive,media=cdrom,readonly=on,format=raw,file={Escape(cd.Path)}"]);
            a.AddRange(["-device", $"scsi-cd,id={ConfigDriveMedium.DeviceId},bus=scsi0.0,scsi-id=0,lun=0,drive={ConfigDriveMedium.DeviceId}-drive"]);
        }
        if (vm.Kernel is { } k)
        {
            a.AddRange(["-kernel", k.KernelPath]);
            if (k.InitrdPath is not null) a.AddRange(["-initrd", k.InitrdPath]);
            if (k.Append is not null) a.AddRange(["-append", k.Append]);
        }
        a.AddRange(["-sandbox", "on,obsolete=deny,elevateprivileges=allow,spawn=deny,resourcecontrol=deny"]);
        if (launch.RunAs is { } user) a.AddRange(["-runas", user]);
        if (launch.StartPaused) a.Add("-S");
        a.AddRange(["-msg", "timestamp=on"]);
        return a;
    }

    /// <summary>The id of hot-plug root port <paramref name="slot"/>: the bus to name in device_add.</summary>
    public static string HotplugPort(int slot) => $"hp{slot}";

    /// <summary>qemu's option syntax uses ',' as separator; a literal comma is written twice.</summary>
    internal static string Escape(string value) => value.Replace(",", ",,");
}
