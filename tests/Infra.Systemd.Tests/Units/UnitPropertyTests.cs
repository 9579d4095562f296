using Infra.DBus.Wire;
using Infra.Systemd.Units;

namespace Infra.Systemd.Tests.Units;

public class UnitPropertyTests
{
    static string Wire(UnitProperty p)
    {
        var w = new DBusWriter();
        w.Write("(sv)", p.ToWire());
        return Convert.ToHexString(w.Written).ToLowerInvariant();
    }

    // systemd rejects a property whose variant has the wrong type, so the bytes are pinned per property.
    public static TheoryData<UnitProperty, string> Rows => new()
    {
        { UnitProperty.CpuQuotaPercent(50), "12000000" + Ascii("CPUQuotaPerSecUSec") + "00" + "017400" + "000000000000" + "20a1070000000000" },
        { UnitProperty.CpuQuotaPerSec(TimeSpan.FromMilliseconds(1500)), "12000000" + Ascii("CPUQuotaPerSecUSec") + "00" + "017400" + "000000000000" + "60e3160000000000" },
        { UnitProperty.Delegate(true), "08000000" + Ascii("Delegate") + "00" + "016200" + "01000000" },
        { UnitProperty.MemoryMax(64UL << 20), "09000000" + Ascii("MemoryMax") + "00" + "017400" + "00000000000000" + "0000000400000000" },
        { UnitProperty.KillMode("mixed"), "08000000" + Ascii("KillMode") + "00" + "017300" + "05000000" + Ascii("mixed") + "00" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void ToWire_EncodesNameAndTypedVariant(UnitProperty p, string hex) => Assert.Equal(hex, Wire(p));

    [Fact]
    public void ExecStart_IsArrayOfPathArgvIgnoreFailure()
    {
        var p = UnitProperty.ExecStart(ExecCommand.Of("/bin/sleep", "30"), new ExecCommand("/bin/true", ["true"], IgnoreFailure: true));
        Assert.Equal("a(sasb)", p.Value.Signature);
        var w = new DBusWriter();
        w.Write("v", p.Value);
        var back = (DBusVariant)new DBusReader(w.Written).Read("v");
        var cmds = (object[])back.Value;
        Assert.Equal(new object[] { "/bin/sleep", new object[] { "/bin/sleep", "30" }, false }, (object[])cmds[0]);
        Assert.Equal(new object[] { "/bin/true", new object[] { "true" }, true }, (object[])cmds[1]);
    }

    static string Ascii(string s) => Convert.ToHexString(System.Text.Encoding.ASCII.GetBytes(s)).ToLowerInvariant();
}
