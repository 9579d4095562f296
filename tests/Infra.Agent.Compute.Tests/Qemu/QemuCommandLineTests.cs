using Infra.Agent.Compute.Model;
using Infra.Agent.Compute.Qemu;

namespace Infra.Agent.Compute.Tests.Qemu;

public class QemuCommandLineTests
{
    private static readonly VmPaths Paths = VmPaths.For("/var/lib/infra/agent/vms", "vm-1");

    private static VmDefinition Vm() => new()
    {
        Id = "vm-1", Name = "web", Vcpus = 4, CpuMhz = 3000, MemoryMib = 2048,
        DiskSockets = ["/run/infra/volumes/vol-a.sock", "/run/infra/volumes/vol-b.sock"],
        Nics = [new VmNic("tap-p1", "02:00:00:AA:BB:01")],
    };

    // One option and its value per line, so a change shows up as a readable diff.
    private static string Render(IReadOnlyList<string> argv)
    {
        var lines = new List<string>();
        for (var i = 0; i < argv.Count; i++)
            lines.Add(i + 1 < argv.Count && !argv[i + 1].StartsWith('-') ? $"{argv[i]} {argv[++i]}" : argv[i]);
        return string.Join("\n", lines);
    }

    [Fact]
    public void Build_KvmWithDisksAndNic_MatchesGolden()
    {
        var argv = QemuCommandLine.Build(Vm(), new QemuLaunch { Accelerator = Accelerator.Kvm, Paths = Paths, RunAs = "infra-qemu" });
        Assert.Equal("""
            -name guest=vm-1,debug-threads=on
            -no-user-config
            -nodefaults
            -nographic
            -machine q35,accel=kvm,memory-backend=mem0
            -cpu host
            -smp 4
            -m 2048M
            -object memory-backend-memfd,id=mem0,size=2048M,share=on
            -pidfile /var/lib/infra/agent/vms/vm-1/qemu.pid
            -chardev socket,id=qmp,path=/var/lib/infra/agent/vms/vm-1/qmp.sock,server=on,wait=off
            -mon chardev=qmp,mode=control
            -chardev socket,id=serial0,path=/var/lib/infra/agent/vms/vm-1/con.sock,server=on,wait=off
            -serial chardev:serial0
            -device virtio-serial-pci,id=vser0
            -chardev socket,id=qga0,path=/var/lib/infra/agent/vms/vm-1/qga.sock,server=on,wait=off
            -device virtserialport,bus=vser0.0,chardev=qga0,name=org.qemu.guest_agent.0
            -chardev socket,id=vub0,path=/run/infra/volumes/vol-a.sock
            -device vhost-user-blk-pci,id=disk0,chardev=vub0,num-queues=4,bootindex=0
            -chardev socket,id=vub1,path=/run/infra/volumes/vol-b.sock
            -device vhost-user-blk-pci,id=disk1,chardev=vub1,num-queues=4,bootindex=1
            -netdev tap,id=net0,ifname=tap-p1,script=no,downscript=no,vnet_hdr=off
            -device virtio-net-pci,id=nic0,netdev=net0,mac=02:00:00:aa:bb:01
            -sandbox on,obsolete=deny,elevateprivileges=allow,spawn=deny,resourcecontrol=deny
            -runas infra-qemu
            -msg timestamp=on
            """, Render(argv));
    }

    [Fact]
    public void Build_TcgKernelBootPaused_MatchesGolden()
    {
        var vm = Vm() with
        {
            DiskSockets = ["/run/d.sock"], Nics = [],
            Kernel = new KernelBoot("/cache/vmlinuz", "/cache/initrd.gz", "console=ttyS0 quiet"),
        };
        var argv = QemuCommandLine.Build(vm, new QemuLaunch { Accelerator = Accelerator.Tcg, Paths = Paths, StartPaused = true });
        var text = Render(argv);
        Assert.Contains("-machine q35,accel=tcg,memory-backend=mem0", text);
        Assert.DoesNotContain("-cpu", text);
        // With a kernel given, nothing boots from disk.
        Assert.Contains("-device vhost-user-blk-pci,id=disk0,chardev=vub0,num-queues=4\n", text);
        Assert.EndsWith("""
            -kernel /cache/vmlinuz
            -initrd /cache/initrd.gz
            -append console=ttyS0 quiet
            -sandbox on,obsolete=deny,elevateprivileges=allow,spawn=deny,resourcecontrol=deny
            -S
            -msg timestamp=on
            """, text);
    }

    [Fact]
    public void Build_PathWithComma_IsEscapedForQemuOptionSyntax()
    {
        var argv = QemuCommandLine.Build(Vm() with { DiskSockets = ["/run/a,b.sock"] }, new QemuLaunch { Accelerator = Accelerator.Tcg, Paths = Paths });
        Assert.Contains("socket,id=vub0,path=/run/a,,b.sock", argv);
    }

    [Fact]
    public void Build_InvalidVm_ReportsEveryProblemAtOnce()
    {
        var bad = Vm() with { Id = "../x", Vcpus = 0, MemoryMib = 1, Nics = [new VmNic("a-name-that-is-far-too-long", "nope")] };
        var e = Assert.Throws<ArgumentException>(() => QemuCommandLine.Build(bad, new QemuLaunch { Accelerator = Accelerator.Tcg, Paths = Paths }));
        foreach (var part in new[] { "id '../x'", "vcpus 0", "memory 1 MiB", "interface name", "MAC 'nope'" })
            Assert.Contains(part, e.Message);
    }
}
