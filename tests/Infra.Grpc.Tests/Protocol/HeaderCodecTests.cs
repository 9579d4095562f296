using Infra.Grpc.Protocol;

namespace Infra.Grpc.Tests.Protocol;

public class GrpcTimeoutTests
{
    [Theory]
    [InlineData("1H", 36_000_000_000L)]
    [InlineData("2M", 1_200_000_000L)]
    [InlineData("3S", 30_000_000L)]
    [InlineData("250m", 2_500_000L)]
    [InlineData("7u", 70L)]
    [InlineData("1000n", 10L)]
    [InlineData("99999999S", 999_999_990_000_000L)]
    public void TryParse_ReadsEveryUnit(string text, long ticks)
    {
        Assert.True(GrpcTimeout.TryParse(text, out var t));
        Assert.Equal(ticks, t.Ticks);
    }

    [Theory]
    [InlineData("")]
    [InlineData("S")]
    [InlineData("10")]
    [InlineData("10x")]
    [InlineData("-1S")]
    [InlineData("123456789S")]
    [InlineData("1.5S")]
    public void TryParse_RejectsMalformed(string text) => Assert.False(GrpcTimeout.TryParse(text, out _));

    [Theory]
    [InlineData(0L, "1n")]
    [InlineData(-5L, "1n")]
    [InlineData(1L, "100n")]
    [InlineData(10_000L, "1000000n")]
    [InlineData(10_000_000L, "1000000u")]
    [InlineData(36_000_000_000L, "3600000m")]
    [InlineData(TimeSpan.TicksPerDay * 365, "31536000S")]
    public void Format_UsesFinestUnitThatFits(long ticks, string expected) => Assert.Equal(expected, GrpcTimeout.Format(TimeSpan.FromTicks(ticks)));

    [Theory]
    [InlineData(1L)]
    [InlineData(12_345L)]
    [InlineData(98_765_432_1L)]
    public void Format_ThenParse_NeverShortensTheTimeout(long ticks)
    {
        Assert.True(GrpcTimeout.TryParse(GrpcTimeout.Format(TimeSpan.FromTicks(ticks)), out var back));
        Assert.True(back.Ticks >= ticks);
    }
}

public class StatusMessageTests
{
    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("", "")]
    [InlineData("100%", "100%25")]
    [InlineData("a\nb", "a%0Ab")]
    [InlineData("ü", "%C3%BC")]
    [InlineData("tab\there", "tab%09here")]
    public void Encode_PercentEncodesNonPrintableAndPercent(string raw, string wire)
    {
        Assert.Equal(wire, StatusMessage.Encode(raw));
        Assert.Equal(raw, StatusMessage.Decode(wire));
    }

    [Theory]
    [InlineData("50%", "50%")]
    [InlineData("%zz", "%zz")]
    [InlineData("%4", "%4")]
    [InlineData("%41%42", "AB")]
    public void Decode_IsLenientWithMalformedEscapes(string wire, string raw) => Assert.Equal(raw, StatusMessage.Decode(wire));
}

public class MetadataCodecTests
{
    [Theory]
    [InlineData("AAEC/w", "000102FF")]
    [InlineData("AAEC/w==", "000102FF")]
    [InlineData("AAEC/w,AQ", "000102FF01")]
    [InlineData("", "")]
    public void BinaryValues_AcceptPaddedUnpaddedAndCommaJoined(string wire, string hex)
    {
        var md = new Metadata();
        Assert.True(MetadataCodec.TryAdd(md, "x-bin", wire));
        Assert.Equal(hex, Convert.ToHexString(md.SelectMany(e => e.ValueBytes).ToArray()));
    }

    [Fact]
    public void BinaryValues_AreSentUnpadded() =>
        Assert.Equal("AAEC/w", MetadataCodec.EncodeValue(new Metadata.Entry("x-bin", new byte[] { 0, 1, 2, 255 })));

    [Fact]
    public void BinaryValue_NotBase64_IsRejected() => Assert.False(MetadataCodec.TryAdd(new Metadata(), "x-bin", "!!!"));

    [Theory]
    [InlineData(":path", true)]
    [InlineData("content-type", true)]
    [InlineData("grpc-timeout", true)]
    [InlineData("grpc-status", true)]
    [InlineData("te", true)]
    [InlineData("authorization", false)]
    [InlineData("grpc-status-details-bin", false)]
    public void ProtocolHeaders_AreNotMetadata(string key, bool reserved) => Assert.Equal(reserved, MetadataCodec.IsReserved(key));

    [Theory]
    [InlineData("Has Space")]
    [InlineData("")]
    [InlineData("ünicode")]
    public void Keys_MustBeTokenCharacters(string key) => Assert.Throws<ArgumentException>(() => new Metadata.Entry(key, "v"));

    [Fact]
    public void BinaryKeys_RequireBytes_AndTextKeysRequireAscii()
    {
        Assert.Throws<ArgumentException>(() => new Metadata.Entry("x-bin", "text"));
        Assert.Throws<ArgumentException>(() => new Metadata.Entry("x", new byte[1]));
        Assert.Throws<ArgumentException>(() => new Metadata.Entry("x", "line\nbreak"));
        Assert.Equal("x-upper", new Metadata.Entry("X-Upper", "v").Key);
    }

    [Theory]
    [InlineData("application/grpc", true)]
    [InlineData("application/grpc+proto", true)]
    [InlineData("application/grpc;charset=utf-8", true)]
    [InlineData("application/grpcx", false)]
    [InlineData("application/json", false)]
    [InlineData(null, false)]
    public void ContentType_IsGrpc(string? contentType, bool expected) => Assert.Equal(expected, GrpcHeaders.IsGrpcContentType(contentType));
}
