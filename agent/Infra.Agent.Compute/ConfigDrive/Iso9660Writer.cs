using System.Buffers.Binary;
using System.Text;

namespace Infra.Agent.Compute.ConfigDrive;

/// <summary>One file in the root directory of an ISO image.</summary>
/// <param name="Name">Its name as the guest should see it ("meta-data").</param>
/// <param name="Content">Its bytes.</param>
public sealed record IsoFile(string Name, ReadOnlyMemory<byte> Content);

/// <summary>
/// A pure ISO 9660 (ECMA-119) writer for a flat image: one root directory with a few files, no
/// Joliet, no Rock Ridge. That is all a NoCloud config drive needs: Linux's isofs shows a plain
/// ISO 9660 name "META-DATA.;1" as "meta-data" (its default map=normal lower-cases names and drops
/// the ";1" version and a trailing dot), which is where cloud-init and the small image look.
///
/// Layout, in 2048-byte sectors: 0-15 system area (zeros), 16 primary volume descriptor,
/// 17 descriptor set terminator, 18 L path table, 19 M path table, 20.. root directory, then each
/// file's extent in name order. The output is deterministic (fixed timestamps), so the same files
/// give the same bytes and a caller can tell "unchanged" by comparing images.
/// </summary>
public static class Iso9660Writer
{
    public const int SectorSize = 2048;
    const int PvdSector = 16, PathTableL = 18, PathTableM = 19, RootSector = 20;
    const int MaxNameLength = 30; // ISO 9660 level 2: name and extension together
    // Small guests find the drive with busybox's findfs, whose volume_id reads the first 0x11000
    // bytes of a device in one go and gives up on a shorter one: a 23-sector drive was never found
    // by the small image ("GUEST-CIDATA none"). genisoimage never writes fewer than ~180 sectors;
    // 64 sectors (128 KiB) of zeros at the end cost nothing and make every prober's reads succeed.
    public const int MinimumSectors = 64;
    static readonly DateTime Stamp = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>The image for <paramref name="files"/>, with volume label <paramref name="volumeId"/>.</summary>
    public static byte[] Build(string volumeId, IReadOnlyList<IsoFile> files)
    {
        if (volumeId.Length is 0 or > 32) throw new ArgumentException("a volume id is 1-32 characters", nameof(volumeId));
        var entries = files.Select(f => (Id: Identifier(f.Name), File: f)).OrderBy(e => e.Id, StringComparer.Ordinal).ToList();
        if (entries.Select(e => e.Id).Distinct().Count() != entries.Count) throw new ArgumentException("two files map to the same ISO 9660 name", nameof(files));

        // The root directory: ".", "..", then the files; a record never crosses a sector boundary.
        var recordLengths = entries.Select(e => RecordLength(Encoding.ASCII.GetByteCount(e.Id))).ToList();
        var rootSectors = 1;
        var used = 2 * RecordLength(1);
        foreach (var len in recordLengths)
        {
            if (used + len > SectorSize) { rootSectors++; used = 0; }
            used += len;
        }
        var next = RootSector + rootSectors;
        var extents = new List<(int Sector, int Length)>();
        foreach (var e in entries)
        {
            extents.Add((next, e.File.Content.Length));
            next += Sectors(e.File.Content.Length);
        }
        var total = Math.Max(next, MinimumSectors);
        var image = new byte[(long)total * SectorSize];

        WritePvd(image.AsSpan(PvdSector * SectorSize, SectorSize), volumeId, total, rootSectors);
        var term = image.AsSpan(17 * SectorSize, SectorSize);
        term[0] = 255; Encoding.ASCII.GetBytes("CD001", term[1..6]); term[6] = 1;
        WritePathTable(image.AsSpan(PathTableL * SectorSize, SectorSize), littleEndian: true);
        WritePathTable(image.AsSpan(PathTableM * SectorSize, SectorSize), littleEndian: false);

        var root = image.AsSpan(RootSector * SectorSize, rootSectors * SectorSize);
        var at = 0;
        at += WriteRecord(root[at..], [0], RootSector, rootSectors * SectorSize, directory: true);
        at += WriteRecord(root[at..], [1], RootSector, rootSectors * SectorSize, directory: true);
        for (var i = 0; i < entries.Count; i++)
        {
            if (at % SectorSize + recordLengths[i] > SectorSize) at = (at / SectorSize + 1) * SectorSize;
            at += WriteRecord(root[at..], Encoding.ASCII.GetBytes(entries[i].Id), extents[i].Sector, extents[i].Length, directory: false);
            entries[i].File.Content.Span.CopyTo(image.AsSpan(extents[i].Sector * SectorSize));
        }
        return image;
    }

    /// <summary>"meta-data" -> "META-DATA.;1": upper case, a dot before the (empty) extension, version 1.</summary>
    public static string Identifier(string name)
    {
        if (name.Length == 0 || name.Length > MaxNameLength || name.Any(c => c is <= ' ' or > '~' or '/' or ';'))
            throw new ArgumentException($"'{name}' is not a usable file name here: 1-{MaxNameLength} printable ASCII characters without '/', ';' or spaces", nameof(name));
        var upper = name.ToUpperInvariant();
        return (upper.Contains('.') ? upper : upper + ".") + ";1";
    }

    static int Sectors(int bytes) => (bytes + SectorSize - 1) / SectorSize;

    static int RecordLength(int idLength) => 33 + idLength + (idLength % 2 == 0 ? 1 : 0);

    static void WritePvd(Span<byte> d, string volumeId, int totalSectors, int rootSectors)
    {
        d[0] = 1; Encoding.ASCII.GetBytes("CD001", d[1..6]); d[6] = 1;
        Text(d.Slice(8, 32), "LINUX");
        Text(d.Slice(40, 32), volumeId);
        Both32(d[80..], (uint)totalSectors);
        Both16(d[120..], 1);   // volume set size
        Both16(d[124..], 1);   // volume sequence number
        Both16(d[128..], SectorSize);
        Both32(d[132..], 10);  // path table size: the root's entry only
        BinaryPrimitives.WriteUInt32LittleEndian(d[140..], PathTableL);
        BinaryPrimitives.WriteUInt32BigEndian(d[148..], PathTableM);
        WriteRecord(d.Slice(156, 34), [0], RootSector, rootSectors * SectorSize, directory: true);
        Text(d.Slice(190, 128), "");                // volume set
        Text(d.Slice(318, 128), "");                // publisher
        Text(d.Slice(446, 128), "");                // data preparer
        Text(d.Slice(574, 128), "INFRA CONFIG DRIVE"); // application
        Text(d.Slice(702, 37 * 3), "");             // copyright, abstract, bibliographic files
        LongDate(d.Slice(813, 17), Stamp);          // created
        LongDate(d.Slice(830, 17), Stamp);          // modified
        LongDate(d.Slice(847, 17), null);           // expires: never
        LongDate(d.Slice(864, 17), null);           // effective: at once
        d[881] = 1;                                  // file structure version
    }

    static void WritePathTable(Span<byte> t, bool littleEndian)
    {
        t[0] = 1; // identifier length (the root's is one 0 byte)
        if (littleEndian) { BinaryPrimitives.WriteUInt32LittleEndian(t[2..], RootSector); BinaryPrimitives.WriteUInt16LittleEndian(t[6..], 1); }
        else { BinaryPrimitives.WriteUInt32BigEndian(t[2..], RootSector); BinaryPrimitives.WriteUInt16BigEndian(t[6..], 1); }
    }

    static int WriteRecord(Span<byte> r, ReadOnlySpan<byte> id, int sector, int length, bool directory)
    {
        var len = RecordLength(id.Length);
        r[0] = (byte)len;
        Both32(r[2..], (uint)sector);
        Both32(r[10..], (uint)length);
        r[18] = (byte)(Stamp.Year - 1900); r[19] = (byte)Stamp.Month; r[20] = (byte)Stamp.Day;
        r[21] = (byte)Stamp.Hour; r[22] = (byte)Stamp.Minute; r[23] = (byte)Stamp.Second; r[24] = 0;
        r[25] = (byte)(directory ? 2 : 0);
        Both16(r[28..], 1);
        r[32] = (byte)id.Length;
        id.CopyTo(r[33..]);
        return len;
    }

    static void Both16(Span<byte> s, ushort v) { BinaryPrimitives.WriteUInt16LittleEndian(s, v); BinaryPrimitives.WriteUInt16BigEndian(s[2..], v); }
    static void Both32(Span<byte> s, uint v) { BinaryPrimitives.WriteUInt32LittleEndian(s, v); BinaryPrimitives.WriteUInt32BigEndian(s[4..], v); }

    static void Text(Span<byte> field, string text)
    {
        field.Fill((byte)' ');
        Encoding.ASCII.GetBytes(text.AsSpan(0, Math.Min(text.Length, field.Length)), field);
    }

    /// <summary>ECMA-119 8.4.26.1: "YYYYMMDDHHMMSScc" and a GMT offset byte; all '0' and 0 means "not specified".</summary>
    static void LongDate(Span<byte> d, DateTime? t)
    {
        var s = t is { } v ? v.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture) + "00" : "0000000000000000";
        Encoding.ASCII.GetBytes(s, d);
        d[16] = 0;
    }
}
