using Infra.Agent.Compute.Cgroups;
using Infra.Agent.Compute.Model;
using Infra.Agent.Compute.Runners;

namespace Infra.Agent.Compute.Tests.Runners;

public class UnitPropertiesTests
{
    [Fact]
    public void ForStart_ListsSliceLimitsExecAndLogging()
    {
        var vm = new VmDefinition { Id = "vm-7", Name = "db", Vcpus = 8, CpuMhz = 4000, MemoryMib = 1024 };
        var paths = VmPaths.For("/var/lib/infra/agent/vms", "vm-7");
        var argv = new[] { "/usr/bin/qemu-system-x86_64", "-name", "guest=vm-7,debug-threads=on" };
        var props = UnitProperties.ForStart(vm, argv, VmResources.For(200, 8, 1024, 256), paths);

        Assert.Equal(new UnitProperty[]
        {
            new("Description", new UnitValue.Str("Infra VM db (vm-7)")),
            new("Slice", new UnitValue.Str("infra-vms.slice")),
            new("Type", new UnitValue.Str("exec")),
            new("ExecStart", new UnitValue.Exec("/usr/bin/qemu-system-x86_64", argv, false)),
            new("PIDFile", new UnitValue.Str("/var/lib/infra/agent/vms/vm-7/qemu.pid")),
            new("WorkingDirectory", new UnitValue.Str("/var/lib/infra/agent/vms/vm-7")),
            new("StandardOutputFileToAppend", new UnitValue.Str("/var/lib/infra/agent/vms/vm-7/qemu.log")),
            new("StandardErrorFileToAppend", new UnitValue.Str("/var/lib/infra/agent/vms/vm-7/qemu.log")),
            new("KillMode", new UnitValue.Str("mixed")),
            new("TimeoutStopUSec", new UnitValue.U64(30_000_000)),
            new("CollectMode", new UnitValue.Str("inactive-or-failed")),
            new("Delegate", new UnitValue.Bool(false)),
            new("CPUQuotaPerSecUSec", new UnitValue.U64(2_000_000)),
            new("CPUQuotaPeriodUSec", new UnitValue.U64(100_000)),
            new("CPUWeight", new UnitValue.U64(200)),
            new("MemoryMax", new UnitValue.U64(1280UL * 1024 * 1024)),
        }, props);
    }

    [Fact]
    public void ForResources_LiveCpuChange_CarriesOnlyLimits()
    {
        var props = UnitProperties.ForResources(VmResources.For(50, 1, 512, 0));
        Assert.Equal(["CPUQuotaPerSecUSec", "CPUQuotaPeriodUSec", "CPUWeight", "MemoryMax"], props.Select(p => p.Name));
        Assert.Equal(new UnitValue.U64(500_000), props[0].Value);
    }

    [Fact]
    public void UnitName_IsPerVmInOneNamespace() => Assert.Equal("infra-vm-abc.service", UnitProperties.UnitName("abc"));

    [Theory]
    [InlineData(0, null, "exited with status 0", true)]
    [InlineData(1, null, "exited with status 1", false)]
    [InlineData(137, 9, "killed by signal 9 (SIGKILL)", false)]
    [InlineData(143, 15, "killed by signal 15 (SIGTERM)", false)]
    public void ProcessExit_FromShellStatus_TellsSignalsFromCodes(int status, int? signal, string text, bool clean)
    {
        var e = ProcessExit.FromShellStatus(status);
        Assert.Equal(signal, e.Signal);
        Assert.Equal(text, e.ToString());
        Assert.Equal(clean, e.Clean);
    }

    [Theory]
    [InlineData(new[] { "/usr/bin/qemu-system-x86_64", "-name", "guest=vm-1,debug-threads=on", "-chardev", "socket,id=qmp,path=/s/vm-1/qmp.sock,server=on,wait=off" }, true)]
    [InlineData(new[] { "/usr/bin/qemu-system-x86_64", "-name", "guest=vm-10,debug-threads=on", "-chardev", "socket,id=qmp,path=/s/vm-1/qmp.sock,server=on,wait=off" }, false)]
    [InlineData(new[] { "/usr/bin/qemu-system-x86_64", "-name", "guest=vm-1,debug-threads=on", "-chardev", "socket,id=qmp,path=/other/qmp.sock,server=on,wait=off" }, false)]
    [InlineData(new[] { "/bin/sleep", "-name", "guest=vm-1,debug-threads=on", "path=/s/vm-1/qmp.sock," }, false)]
    [InlineData(new string[0], false)]
    public void IsQemuFor_AcceptsOnlyOurQemuForThatVm(string[] argv, bool expected) =>
        Assert.Equal(expected, ProcessInspector.IsQemuFor(argv, "vm-1", "/s/vm-1/qmp.sock"));
}
