using Infra.Systemd.Units;
using Tmds.DBus.Protocol;

namespace Infra.Systemd.Tests.Units;

/// <summary>
/// systemd rejects a property whose variant has the wrong type, so each factory's D-Bus type is pinned
/// here; the bytes on the wire are the library's, checked against a real bus in Infra.DBus.Tests.
/// </summary>
public class UnitPropertyTests
{
    public static TheoryData<UnitProperty, string, VariantValueType, object> Rows => new()
    {
        { UnitProperty.CpuQuotaPercent(50), "CPUQuotaPerSecUSec", VariantValueType.UInt64, 500_000UL },
        { UnitProperty.CpuQuotaPerSec(TimeSpan.FromMilliseconds(1500)), "CPUQuotaPerSecUSec", VariantValueType.UInt64, 1_500_000UL },
        { UnitProperty.MemoryMax(64UL << 20), "MemoryMax", VariantValueType.UInt64, 64UL << 20 },
        { UnitProperty.CpuWeight(250), "CPUWeight", VariantValueType.UInt64, 250UL },
        { UnitProperty.TimeoutStop(TimeSpan.FromSeconds(10)), "TimeoutStopUSec", VariantValueType.UInt64, 10_000_000UL },
        { UnitProperty.WatchdogTimeout(TimeSpan.FromSeconds(3)), "WatchdogUSec", VariantValueType.UInt64, 3_000_000UL },
        { UnitProperty.Delegate(true), "Delegate", VariantValueType.Bool, true },
        { UnitProperty.KillMode("mixed"), "KillMode", VariantValueType.String, "mixed" },
        { UnitProperty.Slice("infra-vms.slice"), "Slice", VariantValueType.String, "infra-vms.slice" },
        { UnitProperty.StandardOutputFileToAppend("/var/log/x.log"), "StandardOutputFileToAppend", VariantValueType.String, "/var/log/x.log" },
        { UnitProperty.StandardErrorFileToAppend("/var/log/x.log"), "StandardErrorFileToAppend", VariantValueType.String, "/var/log/x.log" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Factory_FixesNameAndDBusType(UnitProperty p, string name, VariantValueType type, object value)
    {
        Assert.Equal(name, p.Name);
        Assert.Equal(type, p.Value.Type);
        Assert.Equal(value, Infra.Systemd.Manager.PropertyValues.ToClr(p.Value));
    }

    [Fact]
    public void ExecStart_IsArrayOfPathArgvIgnoreFailure()
    {
        var p = UnitProperty.ExecStart(ExecCommand.Of("/bin/sleep", "30"), new ExecCommand("/bin/true", ["true"], IgnoreFailure: true));
        Assert.Equal(VariantValueType.Array, p.Value.Type);
        Assert.Equal(VariantValueType.Struct, p.Value.ItemType);
        Assert.Equal(2, p.Value.Count);
        static string Cmd(VariantValue s) => $"{s.GetItem(0).GetString()} [{string.Join(",", s.GetItem(1).GetArray<string>())}] {s.GetItem(2).GetBool()}";
        Assert.Equal("/bin/sleep [/bin/sleep,30] False", Cmd(p.Value.GetItem(0)));
        Assert.Equal("/bin/true [true] True", Cmd(p.Value.GetItem(1)));
    }

    [Fact]
    public void Environment_IsAnArrayOfStrings() =>
        Assert.Equal(new[] { "A=1", "B=two words" }, Infra.Systemd.Manager.PropertyValues.ToClr(UnitProperty.Environment("A=1", "B=two words").Value));
}
