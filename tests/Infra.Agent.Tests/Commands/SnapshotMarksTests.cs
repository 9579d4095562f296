using Infra.Agent.Core.Commands;

namespace Infra.Agent.Tests.Commands;

public sealed class SnapshotMarksTests
{
    [Theory]
    [InlineData(true, 1234UL, "quiesced=1;freeze_window_us=1234")]
    [InlineData(false, 0UL, "quiesced=0;freeze_window_us=0")]
    public void Format_RoundTrips(bool quiesced, ulong window, string text)
    {
        Assert.Equal(text, SnapshotMarks.Format(quiesced, window));
        Assert.Equal((quiesced, window), SnapshotMarks.Parse(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("quiesced=yes;freeze_window_us=1")]
    [InlineData("quiesced=1")]
    [InlineData("freeze_window_us=-1;quiesced=1")]
    public void Parse_OfAnythingElse_IsNull(string text) => Assert.Null(SnapshotMarks.Parse(text));

    [Fact]
    public void Mark_WrittenOnAFile_IsReadBack_AndAnUnmarkedFileHasNone()
    {
        var dir = Directory.CreateTempSubdirectory("ia-mark-").FullName;
        try
        {
            var marked = Path.Combine(dir, "v@s1.qcow2");
            var plain = Path.Combine(dir, "v@s2.qcow2");
            File.WriteAllText(marked, "");
            File.WriteAllText(plain, "");
            Assert.True(SnapshotMarks.TryWrite(marked, true, 987), "this filesystem refuses user xattrs");
            Assert.Equal((true, 987UL), SnapshotMarks.TryRead(marked));
            Assert.Null(SnapshotMarks.TryRead(plain));
            Assert.Null(SnapshotMarks.TryRead(Path.Combine(dir, "missing")));
        }
        finally { Directory.Delete(dir, true); }
    }
}
