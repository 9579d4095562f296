using System.Text;
using Infra.Ovsdb.Codec;
using Infra.Ovsdb.Rpc;

namespace Infra.Ovsdb.Tests.Codec;

public class JsonRpcFramerTests
{
    [Theory]
    [InlineData("{\"id\":1,\"result\":[],\"error\":null}", 0, 33)]
    [InlineData("  \n{\"id\":1}{\"id\":2}", 3, 8)]
    [InlineData("{\"a\":\"}{\"}", 0, 10)]
    [InlineData("{\"a\":{\"b\":[1,{}]}} trailing", 0, 18)]
    public void TryFindFrame_FindsFirstCompleteObject(string text, int start, int length)
    {
        Assert.True(JsonRpcFramer.TryFindFrame(Encoding.UTF8.GetBytes(text), out var s, out var l));
        Assert.Equal((start, length), (s, l));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{\"id\":1,\"result\":[")]
    [InlineData("{\"a\":\"unterminated")]
    public void TryFindFrame_ReportsIncomplete(string text) =>
        Assert.False(JsonRpcFramer.TryFindFrame(Encoding.UTF8.GetBytes(text), out _, out _));

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("x")]
    [InlineData("{\"a\":}")]
    public void TryFindFrame_RejectsNonObjects(string text) =>
        Assert.Throws<OvsdbFormatException>(() => JsonRpcFramer.TryFindFrame(Encoding.UTF8.GetBytes(text), out _, out _));

    [Fact]
    public void TryFindFrame_EnforcesSizeLimit() =>
        Assert.Throws<OvsdbFormatException>(() => JsonRpcFramer.TryFindFrame(Encoding.UTF8.GetBytes("{\"a\":\"" + new string('x', 5000)), out _, out _, 4096));

    [Theory]
    [InlineData("{\"id\":\"echo\",\"method\":\"echo\",\"params\":[]}", "echo", "\"echo\"", false)]
    [InlineData("{\"id\":null,\"method\":\"update2\",\"params\":[\"m1\",{}]}", "update2", null, false)]
    [InlineData("{\"id\":7,\"result\":[\"Open_vSwitch\"],\"error\":null}", null, "7", false)]
    [InlineData("{\"id\":8,\"result\":null,\"error\":{\"error\":\"unknown method\"}}", null, "8", true)]
    public void Parse_ClassifiesMessages(string text, string? method, string? id, bool hasError)
    {
        var m = JsonRpcMessage.Parse(Encoding.UTF8.GetBytes(text));
        Assert.Equal((method, id, hasError), (m.Method, m.IdJson, m.HasError));
    }

    [Fact]
    public void EncodeRequest_WritesJsonRpc10Shape() =>
        Assert.Equal("{\"method\":\"list_dbs\",\"params\":[],\"id\":3}", Encoding.UTF8.GetString(JsonRpcMessage.EncodeRequest("list_dbs", 3, _ => { })));
}
