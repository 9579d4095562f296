using Google.Protobuf;
using Infra.Controller.Southbound.Commands;
using Infra.V1;

namespace Infra.Controller.Southbound.Tests.Commands;

public sealed class CreditLedgerTests
{
    [Theory]
    [InlineData(0u, 4u)]
    [InlineData(1u, 1u)]
    [InlineData(16u, 16u)]
    public void Window_ZeroMeansFour_StartsWithFullCredit(uint requested, uint window)
    {
        var l = new CreditLedger(requested);
        Assert.Equal((window, window), (l.Window, l.Credit));
    }

    [Fact]
    public void TryReceive_SpendsCredit_AndRefusesTheChunkPastTheWindow()
    {
        var l = new CreditLedger(2);
        Assert.True(l.TryReceive());
        Assert.True(l.TryReceive());
        Assert.False(l.TryReceive());
        Assert.Equal(0u, l.Credit);
    }

    [Fact]
    public void Consumed_GivesOneCreditBackPerChunkTaken_NeverAboveTheWindow()
    {
        var l = new CreditLedger(1);
        Assert.Equal(0u, l.Consumed()); // nothing outstanding: no credit to give
        Assert.True(l.TryReceive());
        Assert.False(l.TryReceive());
        Assert.Equal(1u, l.Consumed());
        Assert.True(l.TryReceive());
    }

    [Theory]
    [InlineData(true, false, true)]   // a data chunk spends credit
    [InlineData(false, false, false)] // progress-only chunk (no data)
    [InlineData(false, true, false)]  // final result without a chunk
    public void IsData_OnlyChunksCarryingBytesSpendCredit(bool data, bool noChunk, bool spends)
    {
        var r = new CommandResult { CommandId = "c" };
        if (!noChunk) r.Chunk = new ExportChunk { Data = data ? ByteString.CopyFrom(1, 2) : ByteString.Empty, DoneBytes = 2 };
        Assert.Equal(spends, CreditLedger.IsData(r));
    }

    [Theory]
    [InlineData(true, false, false)]  // console output
    [InlineData(false, true, false)]  // a role change only (no output): the agent took credit for it too
    [InlineData(false, false, true)]  // the last result: the console closed
    public void IsData_EveryConsoleResultSpendsCredit(bool output, bool status, bool closed)
    {
        var c = new ConsoleResponse();
        if (output) c.Data = ByteString.CopyFromUtf8("login: ");
        if (status) c.Status = new ConsoleStatus { Writer = false, Reason = "read-only" };
        if (closed) c.Closed = "the VM stopped";
        Assert.True(CreditLedger.IsData(new CommandResult { CommandId = "con", Done = closed, Console = c }));
        Assert.False(CreditLedger.IsData(new CommandResult { CommandId = "con", Done = true, Error = "cancelled" }));
    }
}
