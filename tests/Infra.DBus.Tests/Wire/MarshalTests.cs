using Infra.DBus.Wire;

namespace Infra.DBus.Tests.Wire;

public class MarshalTests
{
    // One row per type: signature, value as the writer takes it, exact little-endian bytes.
    public static TheoryData<string, object, string> Rows => new()
    {
        { "y", (byte)0x2a, "2a" },
        { "b", true, "01000000" },
        { "b", false, "00000000" },
        { "n", (short)-2, "feff" },
        { "q", (ushort)0x1234, "3412" },
        { "i", -1, "ffffffff" },
        { "u", 0x01020304u, "04030201" },
        { "x", -2L, "feffffffffffffff" },
        { "t", 0x0102030405060708UL, "0807060504030201" },
        { "d", 1.0, "000000000000f03f" },
        { "s", "hi", "02000000 6869 00" },
        { "s", "", "00000000 00" },
        { "s", "é", "02000000 c3a9 00" },
        { "o", new ObjectPath("/a"), "02000000 2f61 00" },
        { "g", new DBusSignature("a{sv}"), "05 617b73767d 00" },
        { "ay", new byte[] { 1, 2, 3 }, "03000000 010203" },
        { "ai", new[] { 1, 2 }, "08000000 01000000 02000000" },
        // 64-bit elements: padding after the length is not counted in it, even for an empty array.
        { "at", new[] { 1UL }, "08000000 00000000 0100000000000000" },
        { "at", Array.Empty<ulong>(), "00000000 00000000" },
        { "(yu)", new object[] { (byte)1, 2u }, "01 000000 02000000" },
        { "v", new DBusVariant("s", "x"), "01 73 00 00 01000000 78 00" },
        { "v", new DBusVariant("ai", new[] { 7 }), "02 6169 00 04000000 07000000" },
        // a{sv} {"a": <u 1>}: entries align to 8, the variant's value aligns to 4 within it.
        { "a{sv}", new Dictionary<string, DBusVariant> { ["a"] = DBusVariant.UInt32(1) },
            "10000000 00000000 01000000 6100 017500 000000 01000000" },
        // a(sb): array of structs, the second struct padded back to 8.
        { "a(sb)", new[] { new object[] { "x", true }, new object[] { "y", false } },
            "1c000000 00000000 01000000 7800 0000 01000000 00000000 01000000 7900 0000 00000000" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Write_ProducesSpecBytes(string sig, object value, string hex)
    {
        var w = new DBusWriter();
        w.Write(sig, value);
        Assert.Equal(Hex.Of(Hex.Parse(hex)), Hex.Of(w.Written));
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Read_OfSpecBytes_ReturnsValueThatWritesBackIdentically(string sig, object value, string hex)
    {
        var bytes = Hex.Parse(hex);
        var r = new DBusReader(bytes);
        var read = r.Read(sig);
        Assert.Equal(bytes.Length, r.Position);
        var w = new DBusWriter();
        w.Write(sig, read);
        Assert.Equal(Hex.Of(bytes), Hex.Of(w.Written));
        _ = value;
    }

    [Fact]
    public void Read_ReturnsCanonicalShapes()
    {
        var w = new DBusWriter();
        w.WriteAll("a{sv}a(sas)o", new object[]
        {
            new Dictionary<string, DBusVariant> { ["CPUWeight"] = DBusVariant.UInt64(100), ["Delegate"] = DBusVariant.Bool(true) },
            new[] { ("/bin/sleep", new[] { "sleep", "30" }) },
            new ObjectPath("/org/x"),
        });
        var values = new DBusReader(w.Written).ReadAll("a{sv}a(sas)o");
        var dict = Assert.IsType<Dictionary<object, object>>(values[0]);
        Assert.Equal(new DBusVariant("t", 100UL), dict["CPUWeight"]);
        Assert.Equal(new DBusVariant("b", true), dict["Delegate"]);
        var structs = Assert.IsType<object[]>(values[1]);
        var first = Assert.IsType<object[]>(structs[0]);
        Assert.Equal("/bin/sleep", first[0]);
        Assert.Equal(new object[] { "sleep", "30" }, first[1]);
        Assert.Equal(new ObjectPath("/org/x"), values[2]);
    }

    [Theory]
    [InlineData("b", "02000000", "boolean holds 2")]
    [InlineData("s", "02000000 6869 01", "not nul-terminated")]
    [InlineData("s", "05000000 6869 00", "runs past")]
    [InlineData("s", "01000000 ff 00", "UTF-8")]
    [InlineData("s", "02000000 6800 00", "nul byte")]
    [InlineData("ai", "06000000 01000000 02000000", "overrun")]
    [InlineData("ai", "01000004", "limit")]
    [InlineData("(yu)", "01 ff0000 02000000", "padding")]
    [InlineData("g", "02 7b7d 00", "unexpected")]
    [InlineData("v", "02 7373 00 00", "one complete type")]
    [InlineData("u", "0102", "more bytes")]
    public void Read_OfMalformedBytes_ThrowsProtocolException(string sig, string hex, string why)
    {
        var ex = Assert.Throws<DBusProtocolException>(() => new DBusReader(Hex.Parse(hex)).Read(sig));
        Assert.Contains(why, ex.Message);
    }

    [Fact]
    public void Write_WithWrongValueCount_Throws()
    {
        Assert.Throws<ArgumentException>(() => new DBusWriter().WriteAll("su", new object[] { "x" }));
    }
}
