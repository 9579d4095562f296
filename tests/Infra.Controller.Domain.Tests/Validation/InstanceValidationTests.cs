using Infra.Controller.Domain.Commands;
using Infra.Controller.Domain.Validation;
using Infra.V1;
using BootSource = Infra.V1.BootSource;
using FixedIp = Infra.V1.FixedIp;

namespace Infra.Controller.Domain.Tests.Validation;

public class InstanceValidationTests
{
    static CreateInstanceRequest Valid() => new()
    {
        TenantId = Ids.Tenant, Name = "web-1", Vcpus = 8, CpuMhz = 4000, MemoryMib = 8192,
        Boot = new BootSource { ImageId = Ids.Image, SizeGib = 20, DeleteOnTermination = true },
        VolumeIds = { Ids.Volume },
        Ports = { new PortSpec { NetworkId = Ids.Network, PolicyIds = { Ids.Policy }, FixedIps = { new FixedIp { Address = "10.0.0.5" } } }, new PortSpec { PortId = Ids.Port } },
        AffinityGroup = "db", AntiAffinityGroup = "web",
    };

    [Fact]
    public void Create_WhenValid_MapsSizesBootAndNics()
    {
        var cmd = Expect.Valid(InstanceValidation.Validate(Valid()));
        Assert.Equal(new InstanceSize(8, 4000, 8192), cmd.Size);
        Assert.Equal(8192L << 20, cmd.Size.MemoryBytes);
        var boot = Assert.IsType<Commands.BootSource.FromImage>(cmd.Boot);
        Assert.Equal(20UL << 30, boot.SizeBytes);
        Assert.True(boot.DeleteOnTermination);
        var nic = Assert.IsType<NicSpec.NewPort>(cmd.Nics[0]);
        Assert.Equal(Ids.Network, nic.NetworkId);
        Assert.Equal(Ids.Port, Assert.IsType<NicSpec.ExistingPort>(cmd.Nics[1]).PortId);
        Assert.True(cmd.Start); // unset means start
        Assert.Equal(("db", "web"), (cmd.AffinityGroup, cmd.AntiAffinityGroup));
    }

    [Fact]
    public void Create_StartFalseIsKept_AndBootVolumeHasNoSize()
    {
        var r = Valid();
        r.Start = false;
        r.Boot = new BootSource { VolumeId = Ids.Volume2 };
        r.AffinityGroup = r.AntiAffinityGroup = "";
        var cmd = Expect.Valid(InstanceValidation.Validate(r));
        Assert.False(cmd.Start);
        Assert.Equal(Ids.Volume2, Assert.IsType<Commands.BootSource.FromVolume>(cmd.Boot).VolumeId);
        Assert.Null(cmd.AffinityGroup);
    }

    [Theory]
    [InlineData(1u, 100u, 64ul)]
    [InlineData(256u, 2_560_000u, 4_194_304ul)]
    [InlineData(2u, 20_000u, 66ul)]
    [InlineData(64u, 100u, 1024ul)]
    public void Create_SizeLimits_AreInclusive(uint vcpus, uint mhz, ulong memory)
    {
        var r = Valid();
        (r.Vcpus, r.CpuMhz, r.MemoryMib) = (vcpus, mhz, memory);
        Expect.Valid(InstanceValidation.Validate(r));
    }

    static readonly Dictionary<string, (Action<CreateInstanceRequest> Mutate, string Field, string Fragment)> Cases = new()
    {
        ["tenant missing"] = (r => r.TenantId = "", "tenant_id", "is required"),
        ["name missing"] = (r => r.Name = "", "name", "is required"),
        ["vcpus zero"] = (r => r.Vcpus = 0, "vcpus", "1-256"),
        ["vcpus too many"] = (r => r.Vcpus = 257, "vcpus", "1-256"),
        ["cpu mhz too low"] = (r => r.CpuMhz = 99, "cpu_mhz", "at least 100 MHz"),
        ["cpu mhz beyond vcpus"] = (r => { r.Vcpus = 2; r.CpuMhz = 20_001; }, "cpu_mhz", "add vCPUs or lower cpu_mhz to at most 20000"),
        ["memory too small"] = (r => r.MemoryMib = 62, "memory_mib", "64-4194304"),
        ["memory too large"] = (r => r.MemoryMib = 4_194_306, "memory_mib", "64-4194304"),
        ["memory odd"] = (r => r.MemoryMib = 1025, "memory_mib", "multiple of 2 MiB"),
        ["boot missing"] = (r => r.Boot = null, "boot", "is required"),
        ["boot source missing"] = (r => r.Boot = new BootSource { SizeGib = 10 }, "boot", "set boot.image_id"),
        ["boot image wrong kind"] = (r => r.Boot.ImageId = Ids.Volume, "boot.image_id", "not an image id"),
        ["boot size too big"] = (r => r.Boot.SizeGib = 65537, "boot.size_gib", "at most 65536"),
        ["boot volume with size"] = (r => r.Boot = new BootSource { VolumeId = Ids.Volume2, SizeGib = 5 }, "boot.size_gib", "ResizeVolume"),
        ["volume twice"] = (r => r.VolumeIds.Add(Ids.Volume), "volume_ids[1]", "listed twice"),
        ["volume is boot"] = (r => r.Boot = new BootSource { VolumeId = Ids.Volume }, "volume_ids[0]", "already the boot volume"),
        ["volume bad id"] = (r => r.VolumeIds[0] = "vol-1", "volume_ids[0]", "not a volume id"),
        ["too many volumes"] = (r => r.VolumeIds.AddRange(Enumerable.Range(0, 24).Select(i => "vol-" + ((char)('c' + i)) + new string('a', 15))), "volume_ids", "at most 24"),
        ["nic neither"] = (r => r.Ports[1].PortId = "", "ports[1]", "exactly one of port_id"),
        ["nic both"] = (r => r.Ports[1].NetworkId = Ids.Network, "ports[1]", "exactly one of port_id"),
        ["nic existing with policies"] = (r => r.Ports[1].PolicyIds.Add(Ids.Policy), "ports[1]", "only to a new port"),
        ["nic port twice"] = (r => r.Ports.Add(new PortSpec { PortId = Ids.Port }), "ports[2].port_id", "listed twice"),
        ["nic bad network"] = (r => r.Ports[0].NetworkId = Ids.Port, "ports[0].network_id", "not a network id"),
        ["nic bad fixed ip"] = (r => r.Ports[0].FixedIps[0].Address = "10.0.0", "ports[0].fixed_ips[0].address", "not an IP address"),
        ["nic bad policy"] = (r => r.Ports[0].PolicyIds[0] = "default", "ports[0].policy_ids[0]", "not a policy id"),
        ["too many nics"] = (r => r.Ports.AddRange(Enumerable.Range(0, 15).Select(_ => new PortSpec { NetworkId = Ids.Network })), "ports", "at most 16"),
        ["affinity bad"] = (r => r.AffinityGroup = "DB", "affinity_group", "only a-z"),
        ["affinity equals anti"] = (r => r.AntiAffinityGroup = "db", "anti_affinity_group", "both with and apart"),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Create_WhenOneFieldIsBad_ReportsItsPath(string name)
    {
        var (mutate, field, fragment) = Cases[name];
        var r = Valid();
        mutate(r);
        var result = InstanceValidation.Validate(r);
        Expect.Violation(result, field, fragment);
        Assert.All(result.Violations, v => Assert.Equal(field, v.Field));
    }

    [Fact]
    public void Create_WithManyBadFields_ReportsAllAtOnce()
    {
        var r = Valid();
        r.Name = "Web 1";
        r.Vcpus = 0;
        r.CpuMhz = 50;
        r.MemoryMib = 63;
        r.Boot = null;
        r.Ports[0].PortId = Ids.Port2;
        r.Labels.Add("bad key", "v");
        Expect.Fields(InstanceValidation.Validate(r), "name", "vcpus", "cpu_mhz", "memory_mib", "boot", "ports[0]", "labels[\"bad key\"]");
    }

    [Fact]
    public void GetAndList_CheckIds()
    {
        Expect.Violation(InstanceValidation.Validate(new GetInstanceRequest { Id = Ids.Volume }), "id", "not an instance id");
        var list = Expect.Valid(InstanceValidation.Validate(new ListInstancesRequest { HostId = "hv-12.rack3" }));
        Assert.Equal("hv-12.rack3", list.HostId);
        Expect.Violation(InstanceValidation.Validate(new ListInstancesRequest { HostId = "HV_12" }), "host_id", "not a host id");
    }
}
