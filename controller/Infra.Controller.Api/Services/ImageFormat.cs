using System.Buffers.Binary;
using System.Text;

namespace Infra.Controller.Api.Services;

/// <summary>
/// What an uploaded image is, from its first bytes, and whether it is safe to serve. QCOW2 starts
/// with "QFI\xfb" and a big-endian header (virtual size at offset 24); anything else is RAW, whose
/// virtual size is its length, unless it carries another disk format's signature.
/// <para>
/// Safe means the image is self-contained: a QCOW2 header can name a backing file (offset 8) or, from
/// version 3, an external data file (incompatible feature bit 2), and qemu on the hypervisor would open
/// that path: an image backed by /etc/shadow would hand the host's file to whoever boots it and exports
/// the volume. Other formats (VMDK extents, VHDX, ...) can reference files too, and are never opened as
/// what they are (the agent opens non-QCOW2 as raw), so they are refused with how to convert them
/// rather than stored as a RAW disk that would not boot.
/// </para>
/// </summary>
public static class ImageFormat
{
    /// <summary>The first cluster at the default cluster size: the header, its extensions and the
    /// backing file's name (qemu puts it at 0x210 or later) are in it, and every signature below.</summary>
    public const int HeaderBytes = 64 * 1024;
    static ReadOnlySpan<byte> Qcow2Magic => [0x51, 0x46, 0x49, 0xfb];
    const ulong IncompatibleDataFile = 1UL << 2;

    /// <summary>Signatures of formats that are not RAW, at their offsets.</summary>
    static readonly (string Name, int Offset, byte[] Magic)[] Foreign =
    [
        ("vmdk", 0, "KDMV"u8.ToArray()),
        ("vmdk (descriptor)", 0, "# Disk DescriptorFile"u8.ToArray()),
        ("vhdx", 0, "vhdxfile"u8.ToArray()),
        ("vhd", 0, "conectix"u8.ToArray()),
        ("qed", 0, "QED\0"u8.ToArray()),
        ("luks", 0, [0x4c, 0x55, 0x4b, 0x53, 0xba, 0xbe]),
        ("vdi", 64, [0x7f, 0x10, 0xda, 0xbe]),
    ];

    public static bool IsQcow2(ReadOnlySpan<byte> head) => head.Length >= 4 && head[..4].SequenceEqual(Qcow2Magic);

    /// <summary>The virtual size of a QCOW2 image, or null when the header is too short.</summary>
    public static ulong? Qcow2VirtualSize(ReadOnlySpan<byte> head) =>
        head.Length >= 32 && IsQcow2(head) ? BinaryPrimitives.ReadUInt64BigEndian(head.Slice(24, 8)) : null;

    /// <summary>Null when the image is a self-contained RAW or QCOW2 image; else why it is refused and what to do.</summary>
    public static string? Refusal(ReadOnlySpan<byte> head)
    {
        if (!IsQcow2(head))
        {
            foreach (var (name, offset, magic) in Foreign)
                if (head.Length >= offset + magic.Length && head.Slice(offset, magic.Length).SequenceEqual(magic))
                    return $"is a {name} image; only RAW and QCOW2 (version 2 or 3) are served. Convert it: qemu-img convert -O qcow2 IN OUT";
            return null;
        }
        if (head.Length < 72) return "is a QCOW2 image whose header is cut short; upload the whole file";
        // Version 1 (qcow) shares the magic and has a different header: refused by version.
        var version = BinaryPrimitives.ReadUInt32BigEndian(head.Slice(4, 4));
        if (version is not (2 or 3)) return $"is a QCOW2 version {version} image; only versions 2 and 3 are served. Convert it: qemu-img convert -O qcow2 IN OUT";
        var backingOffset = BinaryPrimitives.ReadUInt64BigEndian(head.Slice(8, 8));
        var backingSize = BinaryPrimitives.ReadUInt32BigEndian(head.Slice(16, 4));
        if (backingOffset != 0)
        {
            var named = backingSize is > 0 and <= 1023 && backingOffset + backingSize <= (ulong)head.Length
                ? $" ({Printable(head.Slice((int)backingOffset, (int)backingSize))})" : "";
            return $"is a QCOW2 image with a backing file{named}; an image must be self-contained. Flatten it: qemu-img convert -O qcow2 IN OUT";
        }
        if (version == 3 && head.Length >= 80 && (BinaryPrimitives.ReadUInt64BigEndian(head.Slice(72, 8)) & IncompatibleDataFile) != 0)
            return "is a QCOW2 image with an external data file; an image must be self-contained. Flatten it: qemu-img convert -O qcow2 IN OUT";
        return null;
    }

    static string Printable(ReadOnlySpan<byte> name)
    {
        var s = Encoding.UTF8.GetString(name);
        return new string(s.Select(c => char.IsControl(c) ? '?' : c).Take(200).ToArray());
    }
}
