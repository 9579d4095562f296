using System.Diagnostics;
using Infra.Agent.Compute.Qemu;

namespace Infra.Agent.Compute.Accel;

/// <summary>Chooses KVM or TCG once per agent run, by booting a tiny guest under each; the answer is cached.</summary>
public interface IAcceleratorProbe
{
    /// <summary>The cached choice (probes on first call).</summary>
    Task<AcceleratorChoice> ChooseAsync(CancellationToken ct);
}

/// <summary>
/// Opening /dev/kvm (or asking its API version) is not enough: a host can pass both and still hang
/// every guest. The probe runs <see cref="ProbeRom"/> under <c>accel=kvm</c> with a timeout; only a
/// guest that reaches protected mode and exits proves KVM. TCG is used only if the options allow it,
/// and is proven the same way.
/// </summary>
public sealed class AcceleratorProbe(AcceleratorOptions options) : IAcceleratorProbe
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private AcceleratorChoice? _cached;

    /// <inheritdoc/>
    public async Task<AcceleratorChoice> ChooseAsync(CancellationToken ct)
    {
        if (_cached is { } c) return c;
        await _gate.WaitAsync(ct);
        try { return _cached ??= await ProbeAsync(ct); }
        finally { _gate.Release(); }
    }

    private async Task<AcceleratorChoice> ProbeAsync(CancellationToken ct)
    {
        string kvm;
        if (options.ForceTcg) kvm = "not probed: ForceTcg is set";
        else
        {
            var (ok, detail) = await KvmUsableAsync(ct);
            if (ok) return new(Accelerator.Kvm, detail, null);
            kvm = detail;
        }
        if (!options.AllowTcg)
            return new(null, kvm, $"KVM is not usable on this host ({kvm}). Fix KVM (kvm_intel/kvm_amd loaded, nested virtualisation enabled), or set AllowTcg=true to run VMs under software emulation (slow).");
        var (tcgOk, tcgDetail) = await BootProbeAsync("tcg", ct);
        return tcgOk
            ? new(Accelerator.Tcg, kvm, null)
            : new(null, kvm, $"KVM is not usable ({kvm}) and TCG failed too ({tcgDetail}); check that {options.QemuBinary} runs.");
    }

    private async Task<(bool, string)> KvmUsableAsync(CancellationToken ct)
    {
        if (!File.Exists(options.KvmDevice)) return (false, $"{options.KvmDevice} does not exist");
        try { using var f = new FileStream(options.KvmDevice, FileMode.Open, FileAccess.ReadWrite); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return (false, $"cannot open {options.KvmDevice}: {e.Message}"); }
        return await BootProbeAsync("kvm", ct);
    }

    /// <summary>Boots the probe ROM under <paramref name="accel"/>; true when it ran to its exit.</summary>
    internal async Task<(bool Ok, string Detail)> BootProbeAsync(string accel, CancellationToken ct)
    {
        Directory.CreateDirectory(options.WorkDirectory);
        var rom = Path.Combine(options.WorkDirectory, $"infra-probe-{Environment.ProcessId}-{Guid.NewGuid():N}.rom");
        await File.WriteAllBytesAsync(rom, ProbeRom.Build(), ct);
        var psi = new ProcessStartInfo(options.QemuBinary)
        {
            UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = true,
        };
        foreach (var a in (string[])["-machine", $"q35,accel={accel}", "-nodefaults", "-no-user-config", "-display", "none",
                     "-m", "16", "-bios", rom, "-device", ProbeRom.DebugExitDevice])
            psi.ArgumentList.Add(a);
        Process? p = null;
        try
        {
            p = Process.Start(psi)!;
            var stderr = p.StandardError.ReadToEndAsync(ct);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.ProbeTimeout);
            try { await p.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return (false, $"a test guest hung under accel={accel} for {options.ProbeTimeout.TotalSeconds:0.#} s (it never left protected-mode entry)");
            }
            if (p.ExitCode == ProbeRom.SuccessExitCode) return (true, $"a test guest ran under accel={accel}");
            var err = (await stderr).Trim().Replace('\n', ' ');
            return (false, $"qemu exited with status {p.ExitCode} under accel={accel}: {err}");
        }
        catch (System.ComponentModel.Win32Exception e) { return (false, $"cannot run {options.QemuBinary}: {e.Message}"); }
        finally
        {
            if (p is { HasExited: false }) { p.Kill(); await p.WaitForExitAsync(CancellationToken.None); }
            p?.Dispose();
            File.Delete(rom);
        }
    }
}
