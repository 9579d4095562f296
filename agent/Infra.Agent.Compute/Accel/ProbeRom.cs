namespace Infra.Agent.Compute.Accel;

/// <summary>
/// A 64 KiB firmware image that proves a guest can run: from the reset vector it loads a GDT,
/// enters 32-bit protected mode and writes 0x21 to an isa-debug-exit port at 0xf4, which makes
/// qemu exit with status (0x21 &lt;&lt; 1) | 1 = 67.
///
/// Why protected mode: on some hosts /dev/kvm opens and answers KVM_GET_API_VERSION, and even a
/// real-mode guest (SeaBIOS) runs, yet the vCPU hangs forever on the switch to protected mode
/// (nested virtualisation without full support). Every OS kernel makes that switch, so a probe
/// that stays in real mode would pass while every VM hangs.
/// </summary>
public static class ProbeRom
{
    /// <summary>qemu's exit status when the probe guest ran to the end.</summary>
    public const int SuccessExitCode = 67;

    /// <summary>The isa-debug-exit device the ROM writes to.</summary>
    public const string DebugExitDevice = "isa-debug-exit,iobase=0xf4,iosize=0x04";

    /// <summary>The ROM image (mapped at 0xFFFF0000, so ROM offset X is address 0xFFFF0000 + X).</summary>
    public static byte[] Build()
    {
        var rom = new byte[65536];
        Array.Fill(rom, (byte)0xF4); // hlt everywhere else
        // GDT at 0xFF00: null, flat 4 GiB code (0x08), flat 4 GiB data (0x10).
        Put(rom, 0xFF00, [0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0, 0, 0, 0x9A, 0xCF, 0, 0xFF, 0xFF, 0, 0, 0, 0x92, 0xCF, 0]);
        // GDTR at 0xFF20: limit 0x17, base 0xFFFFFF00.
        Put(rom, 0xFF20, [0x17, 0x00, 0x00, 0xFF, 0xFF, 0xFF]);
        // 32-bit code at 0xFF40: mov al,0x21; out 0xf4,al; hlt; jmp $.
        Put(rom, 0xFF40, [0xB0, 0x21, 0xE6, 0xF4, 0xF4, 0xEB, 0xFE]);
        // 16-bit code at 0xFF80: cli; o32 lgdt cs:[0xFF20]; mov eax,cr0; or eax,1; mov cr0,eax; jmp dword 0x08:0xFFFFFF40.
        Put(rom, 0xFF80, [0xFA, 0x2E, 0x66, 0x0F, 0x01, 0x16, 0x20, 0xFF, 0x0F, 0x20, 0xC0, 0x66, 0x83, 0xC8, 0x01,
                          0x0F, 0x22, 0xC0, 0x66, 0xEA, 0x40, 0xFF, 0xFF, 0xFF, 0x08, 0x00]);
        // Reset vector at 0xFFF0: jmp short 0xFF80.
        Put(rom, 0xFFF0, [0xEB, 0x8E]);
        return rom;
    }

    private static void Put(byte[] rom, int offset, byte[] code) => code.CopyTo(rom, offset);
}
