using Infra.DBus.Tests.Fixtures;
using Infra.Systemd.Manager;

namespace Infra.DBus.Tests.Systemd;

/// <summary>
/// The library completes calls on its receive loop. Callers must never end up running there: code
/// that blocks after an awaited call (the launcher's HasExited does sync-over-async) would stall
/// every later reply. Found when the booted-systemd suite hung on its first blocking property read.
/// </summary>
#pragma warning disable xUnit1031 // blocking after an await is the behaviour under test
public sealed class ThreadingTests : BusWithSystemd
{
    [Fact]
    public async Task AfterAnAwaitedCall_BlockingTheContinuation_DoesNotStallTheNextReply()
    {
        await Client.StartTransientUnitAndWaitAsync("infra-a.service", "fail", [], Wait);
        await Client.GetUnitAsync("infra-a.service"); // this method now continues wherever that reply completed
        var next = Task.Run(() => Client.GetUnitAsync("infra-a.service"));
        Assert.True(next.Wait(Wait), "a blocked continuation stalled the connection");
    }

    [Fact]
    public async Task AfterAFailedCall_BlockingTheContinuation_DoesNotStallTheNextReply()
    {
        await Assert.ThrowsAsync<NoSuchUnitException>(() => Client.GetUnitAsync("infra-none.service"));
        var next = Task.Run(() => Client.GetPropertyAsync(SystemdManager.ManagerPath, SystemdManager.ManagerInterface, "Version"));
        Assert.True(next.Wait(Wait), "a blocked continuation stalled the connection");
    }
}
