using System.Text;
using Infra.Controller.Southbound.Commands;

namespace Infra.Controller.Southbound.Tests.Commands;

public sealed class SessionOwnerTests
{
    [Fact]
    public void Encode_IsOneJsonObjectOperatorsCanRead()
    {
        var bytes = new SessionOwner("ctl-1", "http://10.0.0.1:7443", "abc123").Encode();
        Assert.Equal("""{"replica":"ctl-1","url":"http://10.0.0.1:7443","session":"abc123"}""", Encoding.UTF8.GetString(bytes));
    }

    [Theory]
    [InlineData("""{"replica":"ctl-1","url":"http://a:1","session":"s"}""", "ctl-1", "http://a:1", "s")]
    [InlineData("""{"session":"s","url":"https://b:2","replica":"r","extra":1}""", "r", "https://b:2", "s")]
    public void Decode_ReadsRecords(string json, string replica, string url, string session)
    {
        Assert.Equal(new SessionOwner(replica, url, session), SessionOwner.Decode(Encoding.UTF8.GetBytes(json)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("""{"replica":"","url":"http://a:1","session":"s"}""")]
    [InlineData("""{"replica":"r","session":"s"}""")]
    [InlineData("[1,2]")]
    public void Decode_GarbageOrIncomplete_IsNull(string text)
    {
        Assert.Null(SessionOwner.Decode(Encoding.UTF8.GetBytes(text)));
    }

    [Fact]
    public void Key_IsUnderTheSouthboundSessionsPrefix()
    {
        Assert.Equal("/infra/southbound/sessions/h1", SessionOwner.Key("h1"));
    }
}
