using System.Text;
using System.Text.Json.Nodes;
using Infra.Qmp.Codec;

namespace Infra.Qmp.Tests.Codec;

public class QmpCommandEncoderTests
{
    [Fact]
    public void Encode_WithoutArguments_WritesExecuteAndId()
    {
        var bytes = QmpCommandEncoder.Encode("query-status", null, "c1");
        Assert.Equal("{\"execute\":\"query-status\",\"id\":\"c1\"}\n", Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public void Encode_ObjectArguments_UseKebabCaseAndDropNulls()
    {
        var bytes = QmpCommandEncoder.Encode("blockdev-add", new { Driver = "file", NodeName = "f0", Filename = "/x", Locking = (string?)null }, "c2");
        Assert.Equal("{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"file\",\"node-name\":\"f0\",\"filename\":\"/x\"},\"id\":\"c2\"}\n",
            Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public void Encode_DictionaryKeys_AreSentAsWritten()
    {
        var bytes = QmpCommandEncoder.Encode("x", new Dictionary<string, object> { ["backing_file"] = "b" }, null);
        Assert.Equal("{\"execute\":\"x\",\"arguments\":{\"backing_file\":\"b\"}}\n", Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public void Encode_GuestSyncDelimited_StartsWithSentinelByte()
    {
        var bytes = QmpCommandEncoder.Encode("guest-sync-delimited", new JsonObject { ["id"] = 5 }, null, leadingSentinel: true);
        Assert.Equal(0xFF, bytes[0]);
        Assert.Equal("{\"execute\":\"guest-sync-delimited\",\"arguments\":{\"id\":5}}\n", Encoding.UTF8.GetString(bytes, 1, bytes.Length - 1));
    }

    [Fact]
    public void Encode_NonObjectArguments_Throws() =>
        Assert.Throws<ArgumentException>(() => QmpCommandEncoder.Encode("x", new JsonArray(), "c1"));
}
