using System.Buffers.Binary;

namespace Infra.Controller.Api.Services;

/// <summary>
/// What an uploaded image is, from its first bytes: QCOW2 starts with "QFI\xfb" and a big-endian
/// header whose virtual disk size is the 8 bytes at offset 24; anything else is taken as RAW, whose
/// virtual size is its length.
/// </summary>
public static class ImageFormat
{
    public const int HeaderBytes = 32;
    static ReadOnlySpan<byte> Qcow2Magic => [0x51, 0x46, 0x49, 0xfb];

    public static bool IsQcow2(ReadOnlySpan<byte> head) => head.Length >= 4 && head[..4].SequenceEqual(Qcow2Magic);

    /// <summary>The virtual size of a QCOW2 image, or null when the header is too short.</summary>
    public static ulong? Qcow2VirtualSize(ReadOnlySpan<byte> head) =>
        head.Length >= HeaderBytes && IsQcow2(head) ? BinaryPrimitives.ReadUInt64BigEndian(head.Slice(24, 8)) : null;
}
