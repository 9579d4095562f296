using Infra.DBus.Tests.Fixtures;
using Infra.Systemd.Manager;
using Infra.Systemd.Units;

namespace Infra.DBus.Tests.Systemd;

/// <summary>Error replies as typed exceptions, and unit state read back as typed values.</summary>
public sealed class ErrorAndStateTests : BusWithSystemd
{
    [Fact]
    public async Task GetUnit_OfAnUnknownUnit_ThrowsNoSuchUnitNamingIt()
    {
        var ex = await Assert.ThrowsAsync<NoSuchUnitException>(() => Client.GetUnitAsync("infra-none.service"));
        Assert.Equal(("infra-none.service", SystemdErrorNames.NoSuchUnit), (ex.Unit, ex.ErrorName));
        Assert.Contains("infra-none.service", ex.ErrorMessage);
    }

    [Fact]
    public async Task StartTransientUnit_OfALoadedName_ThrowsUnitExists()
    {
        await Client.StartTransientUnitAndWaitAsync("infra-a.service", "fail", [], Wait);
        var ex = await Assert.ThrowsAsync<UnitExistsException>(() => Client.StartTransientUnitAsync("infra-a.service", "fail", []));
        Assert.Equal("infra-a.service", ex.Unit);
    }

    [Fact]
    public async Task StopAndKill_OfAnUnknownUnit_ThrowNoSuchUnit()
    {
        await Assert.ThrowsAsync<NoSuchUnitException>(() => Client.StopUnitAsync("infra-none.service"));
        await Assert.ThrowsAsync<NoSuchUnitException>(() => Client.KillUnitAsync("infra-none.service", "all", 9));
    }

    [Fact]
    public async Task OtherErrors_KeepTheirNameAndText()
    {
        var ex = await Assert.ThrowsAsync<SystemdErrorException>(() => Client.GetPropertyAsync(ScriptedSystemd.UnitPath("x"), SystemdManager.UnitInterface, "Nope"));
        Assert.Equal(SystemdErrorNames.UnknownObject, ex.ErrorName);
        Assert.Contains("Nope", ex.ErrorMessage);
    }

    [Fact]
    public async Task GetUnitStatus_ReadsStateMainPidCgroupAndStatus_AsTypedValues()
    {
        await Client.StartTransientUnitAndWaitAsync("infra-a.service", "fail", [], Wait);
        Assert.Equal(new UnitStatus("infra-a.service", "active", "running", 4242, "/system.slice/infra-a.service", ""), await Client.GetUnitStatusAsync("infra-a.service"));
    }

    [Fact]
    public async Task KillStopAndResetFailed_SendWhatSystemdExpects()
    {
        await Client.StartTransientUnitAndWaitAsync("infra-a.service", "fail", [], Wait);
        await Client.KillUnitAsync("infra-a.service", "main", 9);
        Assert.Equal("ssi", Last("KillUnit").Signature);
        Assert.Equal(["infra-a.service", "main", "9"], Last("KillUnit").Args);
        Assert.Equal(JobResult.Done, (await Client.StopUnitAndWaitAsync("infra-a.service", Wait)).Result);
        Assert.Equal(["infra-a.service", "replace"], Last("StopUnit").Args);
        await Client.ResetFailedUnitAsync("infra-a.service");
        Assert.Equal(("s", "infra-a.service"), (Last("ResetFailedUnit").Signature, Last("ResetFailedUnit").Args.Single()));
    }
}
