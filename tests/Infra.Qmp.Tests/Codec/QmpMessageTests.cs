using System.Text;
using Infra.Qmp.Codec;

namespace Infra.Qmp.Tests.Codec;

public class QmpMessageTests
{
    private static QmpMessage P(string json) => QmpMessage.Parse(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Parse_Greeting_ExposesVersion()
    {
        var m = Assert.IsType<QmpGreeting>(P("""{"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": ""}, "capabilities": ["oob"]}}"""));
        Assert.Equal("7.2.22", m.Version);
    }

    [Theory]
    [InlineData("""{"return": {}, "id": "c1"}""", "c1")]
    [InlineData("""{"return": {"running": true}, "id": 7}""", "7")]
    [InlineData("""{"return": 123}""", null)]
    public void Parse_Return_KeepsIdAsText(string json, string? id)
    {
        var r = Assert.IsType<QmpReturn>(P(json));
        Assert.Equal(id, r.Id);
    }

    [Theory]
    [InlineData("""{"id": "c2", "error": {"class": "CommandNotFound", "desc": "The command foo has not been found"}}""", "c2", "CommandNotFound", "The command foo has not been found")]
    [InlineData("""{"error": {"class": "GenericError", "desc": "x"}}""", null, "GenericError", "x")]
    public void Parse_Error_CarriesClassAndDesc(string json, string? id, string cls, string desc)
    {
        var e = Assert.IsType<QmpError>(P(json));
        Assert.Equal((id, cls, desc), (e.Id, e.Class, e.Desc));
    }

    [Theory]
    [InlineData("""{"timestamp": {"seconds": 1700000000, "microseconds": 250000}, "event": "STOP"}""", "STOP")]
    [InlineData("""{"timestamp": {"seconds": 1, "microseconds": 0}, "event": "SHUTDOWN", "data": {"guest": true, "reason": "guest-shutdown"}}""", "SHUTDOWN")]
    [InlineData("""{"event": "JOB_STATUS_CHANGE", "data": {"status": "concluded", "id": "j1"}, "timestamp": {"seconds": 2, "microseconds": 3}}""", "JOB_STATUS_CHANGE")]
    [InlineData("""{"event": "BLOCK_JOB_COMPLETED", "data": {"device": "j1", "len": 1048576, "offset": 1048576, "speed": 0, "type": "commit"}, "timestamp": {"seconds": 2, "microseconds": 3}}""", "BLOCK_JOB_COMPLETED")]
    public void Parse_Event_NameAndTimestamp(string json, string name)
    {
        var e = Assert.IsType<QmpEvent>(P(json));
        Assert.Equal(name, e.Name);
        Assert.True(e.Timestamp.ToUnixTimeSeconds() > 0);
    }

    [Fact]
    public void Parse_EventTimestamp_IncludesMicroseconds()
    {
        var e = Assert.IsType<QmpEvent>(P("""{"timestamp": {"seconds": 1700000000, "microseconds": 250000}, "event": "STOP"}"""));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1700000000250), e.Timestamp);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("""{"something": "else"}""")]
    public void Parse_NonQmp_ThrowsProtocolException(string json) =>
        Assert.Throws<QmpProtocolException>(() => P(json));
}
