using Infra.Agent.Storage.Images;

namespace Infra.Agent.Storage.Tests;

public class QemuImgProgressTests
{
    [Theory]
    [InlineData("    (0.00/100%)\r    (45.50/100%)\r    (100.00/100%)\r\n", new[] { 0.0, 45.5, 100.0 })]
    [InlineData("    (12.01/100%)", new double[0])]             // not terminated yet
    [InlineData("garbage\r(abc/100%)\r(7/100%)\r", new[] { 7.0 })]
    [InlineData("", new double[0])]
    public void Feed_ParsesCarriageReturnSeparatedRecords(string output, double[] expected) =>
        Assert.Equal(expected, new QemuImgProgress().Feed(output));

    [Fact]
    public void Feed_RecordSplitAcrossChunks_IsParsedOnce()
    {
        var p = new QemuImgProgress();
        Assert.Empty(p.Feed("    (33.3"));
        Assert.Equal([33.33], p.Feed("3/100%)\r"));
    }
}
