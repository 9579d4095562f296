using Infra.Agent.Compute.Manager;
using Infra.Agent.Compute.Model;
using Infra.Agent.Compute.Qemu;
using Infra.Agent.Compute.Runners;
using Infra.Agent.Vm.Systemd;
using Tmds.DBus.Protocol;

namespace Infra.Agent.Vm.Tests.Units;

/// <summary>Pure mappings: compute's unit properties to D-Bus variants, hot-plug ports on the command line.</summary>
public sealed class AdapterMappingTests
{
    [Theory]
    [InlineData("s", "Slice", VariantValueType.String)]
    [InlineData("t", "CPUQuotaPerSecUSec", VariantValueType.UInt64)]
    [InlineData("b", "Delegate", VariantValueType.Bool)]
    public void ToWire_ScalarValues_GetTheirDBusType(string signature, string name, VariantValueType type)
    {
        UnitValue value = signature switch { "s" => new UnitValue.Str("infra-vms.slice"), "t" => new UnitValue.U64(500_000), _ => new UnitValue.Bool(false) };
        var wire = SystemdUnitManager.ToWire(new UnitProperty(name, value));
        Assert.Equal(name, wire.Name);
        Assert.Equal(type, wire.Value.Type);
    }

    [Fact]
    public void ToWire_ExecStart_IsOneEntryOfPathArgvIgnoreFailure()
    {
        var wire = SystemdUnitManager.ToWire(new UnitProperty("ExecStart", new UnitValue.Exec("/usr/bin/qemu-system-x86_64", ["/usr/bin/qemu-system-x86_64", "-S"], false)));
        Assert.Equal((VariantValueType.Array, VariantValueType.Struct, 1), (wire.Value.Type, wire.Value.ItemType, wire.Value.Count));
        var entry = wire.Value.GetItem(0);
        Assert.Equal("/usr/bin/qemu-system-x86_64", entry.GetItem(0).GetString());
        Assert.Equal(["/usr/bin/qemu-system-x86_64", "-S"], entry.GetItem(1).GetArray<string>());
        Assert.False(entry.GetItem(2).GetBool());
    }

    [Fact]
    public void CommandLine_HotplugSlots_AddOneRootPortEach_NamedForDeviceAdd()
    {
        var vm = new VmDefinition { Id = "v", Vcpus = 1, CpuMhz = 1000, MemoryMib = 64, HotplugSlots = 2 };
        var argv = QemuCommandLine.Build(vm, new QemuLaunch { Accelerator = Accelerator.Tcg, Paths = VmPaths.For("/tmp/x", "v") });
        Assert.Contains("pcie-root-port,id=hp0,chassis=1,bus=pcie.0", argv);
        Assert.Contains("pcie-root-port,id=hp1,chassis=2,bus=pcie.0", argv);
        Assert.Equal("hp1", QemuCommandLine.HotplugPort(1));
        Assert.Contains(vm with { HotplugSlots = 33 } is var bad ? bad.Validate() : [], e => e.Contains("hotplug slots"));
    }

    [Fact]
    public void ResolveBinary_BareName_IsFoundInPath_MissingOneSaysWhatToInstall()
    {
        Assert.True(Path.IsPathRooted(SystemdProcessLauncher.ResolveBinary("sh")));
        var e = Assert.Throws<FileNotFoundException>(() => SystemdProcessLauncher.ResolveBinary("no-such-binary-infra"));
        Assert.Contains("PATH", e.Message);
    }
}
