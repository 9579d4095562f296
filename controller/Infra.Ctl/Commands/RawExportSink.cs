using System.Security.Cryptography;
using Infra.Ctl.Errors;
using Infra.V1;

namespace Infra.Ctl.Commands;

/// <summary>
/// Consumes ExportVolume chunks into a stream: data must arrive in order without gaps, the SHA-256 of what
/// was written must equal the one on the last chunk, and the byte count must match total_bytes. Anything
/// else is a failed export (exit 1), never a silently short or corrupt image.
/// </summary>
public sealed class RawExportSink(Stream target) : IDisposable
{
    readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public ulong Written { get; private set; }
    public ulong Total { get; private set; }
    public string? ServerSha256 { get; private set; }
    public string? LocalSha256 { get; private set; }

    public async Task AcceptAsync(ExportChunk chunk, CancellationToken ct)
    {
        if (ServerSha256 is not null) throw new CtlException("export stream continued after its final chunk; the image is not trustworthy");
        if (chunk.TotalBytes > 0) Total = chunk.TotalBytes;
        if (!chunk.Data.IsEmpty)
        {
            if (chunk.Offset != Written)
                throw new CtlException($"export chunk at offset {chunk.Offset} but {Written} bytes were written so far; the stream has a gap or an overlap");
            await target.WriteAsync(chunk.Data.Memory, ct);
            _hash.AppendData(chunk.Data.Span);
            Written += (ulong)chunk.Data.Length;
        }
        if (chunk.Sha256.Length > 0) ServerSha256 = chunk.Sha256.ToLowerInvariant();
    }

    /// <summary>Called after the stream ended normally: checks completeness and the checksum.</summary>
    public void Finish()
    {
        LocalSha256 = Convert.ToHexStringLower(_hash.GetHashAndReset());
        if (ServerSha256 is null) throw new CtlException($"export ended after {Written} bytes without the final checksum; the image is incomplete");
        if (Total > 0 && Written != Total) throw new CtlException($"export ended after {Written} of {Total} bytes; the image is incomplete");
        if (ServerSha256 != LocalSha256) throw new CtlException($"sha256 mismatch: the controller sent {ServerSha256}, the bytes received hash to {LocalSha256}");
    }

    public void Dispose() => _hash.Dispose();
}
