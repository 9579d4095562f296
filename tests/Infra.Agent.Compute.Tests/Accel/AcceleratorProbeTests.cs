using Infra.Agent.Compute.Accel;
using Infra.Agent.Compute.Qemu;

namespace Infra.Agent.Compute.Tests.Accel;

[Collection("qemu")]
public class AcceleratorProbeTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    [Fact]
    public void ProbeRom_Has64KiBWithResetVectorJumpingToTheProtectedModeSwitch()
    {
        var rom = ProbeRom.Build();
        Assert.Equal(65536, rom.Length);
        Assert.Equal(new byte[] { 0xEB, 0x8E }, rom[0xFFF0..0xFFF2]); // jmp short 0xFF80
        Assert.Equal(new byte[] { 0x0F, 0x22, 0xC0 }, rom[0xFF8F..0xFF92]); // mov cr0,eax follows lgdt
    }

    [Fact]
    public async Task BootProbe_UnderTcg_RunsTheRomToItsExit()
    {
        var probe = new AcceleratorProbe(new AcceleratorOptions { AllowTcg = true });
        var (ok, detail) = await probe.BootProbeAsync("tcg", Ct);
        Assert.True(ok, detail);
    }

    [Fact]
    public async Task Choose_ForceTcg_UsesTcgWithoutProbingKvm()
    {
        var choice = await new AcceleratorProbe(new AcceleratorOptions { AllowTcg = true, ForceTcg = true }).ChooseAsync(Ct);
        Assert.Equal(Accelerator.Tcg, choice.Accelerator);
        Assert.Contains("ForceTcg", choice.KvmDetail);
    }

    [Fact]
    public async Task Choose_NoKvmAndTcgNotAllowed_ReturnsAnErrorSayingWhatToSet()
    {
        var choice = await new AcceleratorProbe(new AcceleratorOptions { KvmDevice = "/dev/infra-no-kvm" }).ChooseAsync(Ct);
        Assert.Null(choice.Accelerator);
        Assert.Contains("KVM is not usable on this host (/dev/infra-no-kvm does not exist)", choice.Error);
        Assert.Contains("set AllowTcg=true", choice.Error);
    }

    [Fact]
    public async Task Choose_ThisHost_EitherProvesKvmOrFallsBackToTcgWithTheReason()
    {
        // On this machine class /dev/kvm exists but guests hang on entering protected mode: the
        // probe must see that within its timeout and fall back. Where KVM works, it must pick KVM.
        var probe = new AcceleratorProbe(new AcceleratorOptions { AllowTcg = true, ProbeTimeout = TimeSpan.FromSeconds(4) });
        var choice = await probe.ChooseAsync(Ct);
        Assert.NotNull(choice.Accelerator);
        Assert.Null(choice.Error);
        if (choice.Accelerator == Accelerator.Tcg) Assert.Matches("hung under accel=kvm|does not exist|cannot open|exited with status", choice.KvmDetail);
        else Assert.Contains("ran under accel=kvm", choice.KvmDetail);
        Assert.Same(choice, await probe.ChooseAsync(Ct)); // cached: probed once per agent run
    }

    [Fact]
    public void Options_ForceTcgWithoutAllowTcg_IsRejected() =>
        Assert.Contains("ForceTcg needs AllowTcg=true", new AcceleratorOptions { ForceTcg = true }.Validate());
}
