using Infra.Agent.Compute.Console;

namespace Infra.Agent.Compute.Tests.Console;

/// <summary>The capped serial log: two files, each at most the cap, the newest output always readable.</summary>
public sealed class SerialLogTests : IDisposable
{
    private const int Cap = 64 << 10;
    private readonly string _dir = Directory.CreateTempSubdirectory("serial-log-").FullName;
    private string Path0 => Path.Combine(_dir, "serial.log");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    // length now, incoming, cap -> rotate first?
    [InlineData(0, 10, 100, false)]
    [InlineData(90, 10, 100, false)]    // exactly at the cap still fits
    [InlineData(91, 10, 100, true)]
    [InlineData(0, 150, 100, false)]    // an empty file takes anything (the writer trims it to the cap)
    [InlineData(1, 100, 100, true)]
    public void MustRotate(long length, long incoming, long cap, bool expected) => Assert.Equal(expected, SerialLog.MustRotate(length, incoming, cap));

    [Fact]
    public void Flood_KeepsTwoFilesUnderTheCap_AndTheTailIsTheLastOutput()
    {
        var all = new MemoryStream();
        using (var log = new SerialLog(Path0, Cap))
        {
            var rnd = new Random(7);
            for (var i = 0; i < 400; i++)
            {
                var chunk = new byte[rnd.Next(1, 8192)];
                rnd.NextBytes(chunk);
                log.Append(chunk);
                all.Write(chunk);
                Assert.True(new FileInfo(Path0).Length <= Cap);
            }
        }
        Assert.Equal(new[] { "serial.log", "serial.log.1" }, Directory.GetFiles(_dir).Select(Path.GetFileName).Order());
        Assert.True(new FileInfo(Path0 + ".1").Length <= Cap);
        var written = all.ToArray();
        var (tail, truncated) = SerialLog.ReadTail(Path0, Cap);
        Assert.Equal(written[^Cap..], tail);
        Assert.True(truncated);
        // Everything on disk is the end of what was written, in order, across both files.
        var onDisk = File.ReadAllBytes(Path0 + ".1").Concat(File.ReadAllBytes(Path0)).ToArray();
        Assert.Equal(written[^onDisk.Length..], onDisk);
        Assert.Equal(onDisk, SerialLog.ReadTail(Path0, 4 * Cap).Data);
        Assert.False(SerialLog.ReadTail(Path0, 4 * Cap).Truncated);
    }

    [Fact]
    public void Reopened_AppendsToWhatIsThere_AndStillRotatesAtTheCap()
    {
        using (var log = new SerialLog(Path0, Cap)) log.Append(new byte[Cap - 10]);
        using (var log = new SerialLog(Path0, Cap))
        {
            log.Append("0123456789"u8);
            Assert.Equal(Cap, new FileInfo(Path0).Length);
            log.Append("x"u8);
        }
        Assert.Equal(1, new FileInfo(Path0).Length);
        Assert.Equal(Cap, new FileInfo(Path0 + ".1").Length);
    }

    [Fact]
    public void OneWriteAboveTheCap_KeepsItsEnd()
    {
        var big = Enumerable.Range(0, Cap + 100).Select(i => (byte)i).ToArray();
        using (var log = new SerialLog(Path0, Cap)) log.Append(big);
        Assert.Equal(big[^Cap..], File.ReadAllBytes(Path0));
    }

    [Fact]
    public void TailOfAMissingLog_IsEmpty_AndASmallLogIsReturnedWhole()
    {
        Assert.Equal((0, false), (SerialLog.ReadTail(Path0, 100).Data.Length, SerialLog.ReadTail(Path0, 100).Truncated));
        using (var log = new SerialLog(Path0, Cap)) log.Append("GUEST-BOOTED\r\n"u8);
        var (data, truncated) = SerialLog.ReadTail(Path0, 100);
        Assert.Equal("GUEST-BOOTED\r\n"u8.ToArray(), data);
        Assert.False(truncated);
        Assert.Equal("TED\r\n"u8.ToArray(), SerialLog.ReadTail(Path0, 5).Data);
        Assert.True(SerialLog.ReadTail(Path0, 5).Truncated);
    }

    [Fact]
    public void CrashDiagnosis_QuotesTheLastLines_EvenRightAfterARotation()
    {
        using (var log = new SerialLog(Path0, Cap))
        {
            var i = 0;
            // Fill the file to just below the cap; the next line rotates it and starts a new file with only itself.
            while (new FileInfo(Path0).Length + 31 <= Cap) log.Append(System.Text.Encoding.ASCII.GetBytes($"line {i++:D5} of a chatty guest\r\n"));
            log.Append("kernel panic - not syncing\r\n"u8);
            Assert.Equal(28, new FileInfo(Path0).Length);
            Assert.EndsWith($"line {i - 1:D5} of a chatty guest | kernel panic - not syncing", Infra.Agent.Compute.Runners.LogTail.Read(Path0, 2));
        }
    }
}
