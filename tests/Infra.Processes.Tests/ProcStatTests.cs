namespace Infra.Processes.Tests;

public class ProcStatTests
{
    // A real line's shape: pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
    // utime stime cutime cstime priority nice threads itrealvalue starttime vsize ...
    private static string Line(string comm, char state, ulong start = 4242) =>
        $"1234 ({comm}) {state} 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 {start} 1000000 200 18446744073709551615";

    [Theory]
    [InlineData("sleep")]
    [InlineData("a) b")]
    [InlineData("x ) ( y")]
    [InlineData("))")]
    [InlineData("qemu-system-x86")]
    [InlineData("")]
    public void Parse_WhenCommHoldsSpacesOrParens_FindsTheFieldsAfterTheLastParen(string comm)
    {
        var s = ProcStat.Parse(Line(comm, 'S'));
        Assert.NotNull(s);
        Assert.Equal(1234, s.Value.Pid);
        Assert.Equal(comm, s.Value.Comm);
        Assert.Equal('S', s.Value.State);
        Assert.Equal(4242UL, s.Value.StartTime);
    }

    [Theory]
    [InlineData('R', true)]
    [InlineData('S', true)]
    [InlineData('D', true)]
    [InlineData('T', true)]
    [InlineData('Z', false)]
    [InlineData('X', false)]
    public void IsAlive_WhenZombieOrDead_IsFalse(char state, bool alive) =>
        Assert.Equal(alive, ProcStat.Parse(Line("a) Z (b", state))!.Value.IsAlive);

    [Theory]
    [InlineData("")]
    [InlineData("1234 (sleep")]
    [InlineData("1234 (sleep) S 1 2 3")]
    [InlineData("abc (sleep) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 4242 1")]
    [InlineData("1234 (sleep) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 notanumber 1")]
    public void Parse_WhenLineIsTruncatedOrGarbled_ReturnsNull(string line) => Assert.Null(ProcStat.Parse(line));

    [Fact]
    public void Parse_OfOurOwnStat_MatchesThisProcess()
    {
        var pid = Environment.ProcessId;
        var s = ProcStat.Parse(File.ReadAllText($"/proc/{pid}/stat"));
        Assert.NotNull(s);
        Assert.Equal(pid, s.Value.Pid);
        Assert.True(s.Value.IsAlive);
        Assert.Equal(s.Value.StartTime.ToString(), ProcFs.StartTime(pid));
    }

    [Theory]
    [InlineData("42\n", 42)]
    [InlineData("  7 ", 7)]
    [InlineData("0", null)]
    [InlineData("-5", null)]
    [InlineData("", null)]
    [InlineData("12ab", null)]
    public void ParsePid_AcceptsOnlyPositiveNumbers(string text, int? expected) => Assert.Equal(expected, ProcFs.ParsePid(text));
}
