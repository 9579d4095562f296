using System.Text;
using System.Text.Json;
using Infra.Ovsdb.Codec;
using Infra.Ovsdb.Values;

namespace Infra.Ovsdb.Tests.Codec;

public class OvsdbValueCodecTests
{
    private static readonly Guid U = Guid.Parse("36f3a6a4-7e62-4f0c-9c2d-3a3b7f2e1a10");

    public static TheoryData<string, OvsdbValue> RoundTrips => new()
    {
        { "\"br-int\"", new OvsdbString("br-int") },
        { "42", new OvsdbInteger(42) },
        { "-1", new OvsdbInteger(-1) },
        { "1.5", new OvsdbReal(1.5) },
        { "true", new OvsdbBoolean(true) },
        { "false", new OvsdbBoolean(false) },
        { "[\"uuid\",\"36f3a6a4-7e62-4f0c-9c2d-3a3b7f2e1a10\"]", new OvsdbUuid(U) },
        { "[\"named-uuid\",\"row1\"]", new OvsdbNamedUuid("row1") },
        { "[\"set\",[]]", OvsdbValue.EmptySet },
        { "[\"set\",[1,2,3]]", OvsdbValue.SetOf(new OvsdbInteger(1), new OvsdbInteger(2), new OvsdbInteger(3)) },
        { "[\"set\",[[\"uuid\",\"36f3a6a4-7e62-4f0c-9c2d-3a3b7f2e1a10\"],[\"named-uuid\",\"p\"]]]", OvsdbValue.SetOf(new OvsdbUuid(U), new OvsdbNamedUuid("p")) },
        { "[\"map\",[]]", new OvsdbMap([]) },
        { "[\"map\",[[\"key\",\"flow\"],[\"remote_ip\",\"192.0.2.2\"]]]", OvsdbValue.MapOf([new("key", "flow"), new("remote_ip", "192.0.2.2")]) },
        { "[\"map\",[[1,[\"uuid\",\"36f3a6a4-7e62-4f0c-9c2d-3a3b7f2e1a10\"]]]]", new OvsdbMap([new(new OvsdbInteger(1), new OvsdbUuid(U))]) },
        { "\"caf\\u00E9\"", new OvsdbString("café") },
    };

    [Theory, MemberData(nameof(RoundTrips))]
    public void Read_DecodesWireForm(string json, OvsdbValue expected)
    {
        var r = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        r.Read();
        Assert.Equal(expected, OvsdbValueCodec.Read(ref r));
        Assert.False(r.Read());
    }

    [Theory, MemberData(nameof(RoundTrips))]
    public void Write_ThenRead_GivesSameValue(string json, OvsdbValue value)
    {
        _ = json;
        var bytes = Encode(value);
        var r = new Utf8JsonReader(bytes);
        r.Read();
        Assert.Equal(value, OvsdbValueCodec.Read(ref r));
    }

    [Theory]
    [InlineData("[\"set\",[1]]")]
    [InlineData("[\"map\",[[\"a\",\"b\"]]]")]
    [InlineData("[\"uuid\",\"36f3a6a4-7e62-4f0c-9c2d-3a3b7f2e1a10\"]")]
    [InlineData("\"x\"")]
    public void Write_ProducesExactBytes(string json)
    {
        var r = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        r.Read();
        Assert.Equal(json, Encoding.UTF8.GetString(Encode(OvsdbValueCodec.Read(ref r))));
    }

    [Theory]
    [InlineData("[\"bogus\",1]")]
    [InlineData("[\"uuid\",\"not-a-uuid\"]")]
    [InlineData("[\"set\",[[\"set\",[]]]]")]
    [InlineData("[\"map\",[[\"a\"]]]")]
    [InlineData("null")]
    [InlineData("{}")]
    public void Read_RejectsMalformedDatum(string json)
    {
        Assert.Throws<OvsdbFormatException>(() =>
        {
            var r = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
            r.Read();
            OvsdbValueCodec.Read(ref r);
        });
    }

    [Fact]
    public void SetEquality_IgnoresOrder()
    {
        Assert.Equal(OvsdbValue.SetOf(new OvsdbInteger(1), new OvsdbInteger(2)), OvsdbValue.SetOf(new OvsdbInteger(2), new OvsdbInteger(1)));
        Assert.Equal(new OvsdbInteger(7).Atoms, OvsdbValue.SetOf(new OvsdbInteger(7)).Atoms);
    }

    private static byte[] Encode(OvsdbValue v)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms)) OvsdbValueCodec.Write(w, v);
        return ms.ToArray();
    }
}
