using System.Diagnostics;
using System.Security.Cryptography;
using Infra.Agent.Core.Storage;
using Infra.Agent.Storage.Nbd;
using Infra.Agent.Storage.Volumes;
using Infra.V1;

namespace Infra.Agent.Core.Commands;

public sealed partial class HostCommands
{
    /// <summary>
    /// Chunk size when the command says 0, and the largest one sent: a chunk is one gRPC message, and
    /// 2 MiB keeps it well under gRPC's default 4 MiB receive limit on the controller.
    /// </summary>
    public const int DefaultChunk = 1 << 20, MaxChunk = 2 << 20;

    /// <summary>
    /// Streams a frozen image as RAW through the owning storage daemon's read-only NBD export: a
    /// snapshot's image as it is; a volume as of now, by cutting a temporary overlay
    /// (<c>&lt;volume&gt;@~x-…qcow2</c>), exporting the image it froze, and folding the overlay back
    /// with block-commit afterwards (also when cancelled or failed). One chunk in memory at a time.
    /// </summary>
    private async Task<CommandResult> ExportAsync(ExportCommand c, CommandContext context, CancellationToken ct)
    {
        var chunkSize = c.ChunkSize == 0 ? DefaultChunk : (int)Math.Min(c.ChunkSize, MaxChunk);
        ServedVolume volume; ChainNode node; string? temporary = null;
        if (storage.Served(c.SourceId) is not null)
        {
            var (v, baseFile) = LocalVolume(c.SourceId);
            volume = v;
            await FoldLeftoversAsync(c.SourceId, v, baseFile, ct).ConfigureAwait(false);
            temporary = SnapshotNaming.OverlayPath(baseFile, $"{SnapshotNaming.TemporaryPrefix}x-{Guid.NewGuid().ToString("N")[..12]}");
            using (await LockAsync([c.SourceId], ct).ConfigureAwait(false))
            {
                _inFlight[temporary] = 0;
                node = await v.NodeOfAsync(v.ActiveImage!, ct).ConfigureAwait(false) ?? throw new InvalidOperationException($"volume {c.SourceId}: its daemon has no node for {v.ActiveImage}");
                await v.SnapshotAsync(temporary, ct).ConfigureAwait(false);
            }
        }
        else
        {
            var overlay = SnapshotSources.FindOverlay(storage.Layout, c.SourceId)
                ?? throw new InvalidOperationException($"{c.SourceId} is neither a volume served on this host nor a snapshot of one");
            var image = await SnapshotSources.ImageOfAsync(overlay, images, ct).ConfigureAwait(false) ?? throw new InvalidOperationException($"snapshot {c.SourceId}: {overlay} has no backing file");
            volume = storage.AllServed.FirstOrDefault(v => VolumeChain.BaseFile(v.Spec) is { } b && SnapshotNaming.OverlayPath(b, c.SourceId) == overlay)
                ?? throw new InvalidOperationException($"snapshot {c.SourceId}: its volume is not served on this host now");
            node = await volume.NodeOfAsync(image.Image, ct).ConfigureAwait(false) ?? throw new InvalidOperationException($"snapshot {c.SourceId}: the daemon has no node for {image.Image}");
        }

        _reading.AddOrUpdate(node.File, 1, (_, n) => n + 1);
        var exportName = "x" + Guid.NewGuid().ToString("N")[..12];
        _inFlight[exportName] = 0;
        try
        {
            await volume.ExportReadOnlyAsync(node.NodeName, exportName, ct).ConfigureAwait(false);
            try { return await StreamAsync(c.SourceId, volume.NbdSocket, exportName, chunkSize, context, ct).ConfigureAwait(false); }
            finally { try { await volume.RemoveReadOnlyExportAsync(exportName, CancellationToken.None).ConfigureAwait(false); } catch (Exception) { /* the daemon dropped it or died */ } }
        }
        finally
        {
            _reading.AddOrUpdate(node.File, 0, (_, n) => n - 1);
            _inFlight.TryRemove(exportName, out _);
            if (temporary is not null)
            {
                await FoldAsync(c.SourceId, volume, temporary).ConfigureAwait(false);
                _inFlight.TryRemove(temporary, out _);
            }
        }
    }

    private async Task<CommandResult> StreamAsync(string source, string socket, string exportName, int chunkSize, CommandContext context, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        await using var reader = await NbdReader.ConnectAsync(socket, exportName, TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var total = reader.Size;
        ulong offset = 0;
        while (true)
        {
            var n = (int)Math.Min((ulong)chunkSize, total - offset);
            var data = new byte[n];
            if (n > 0) await reader.ReadAsync(offset, data, ct).ConfigureAwait(false);
            hash.AppendData(data);
            var chunk = new ExportChunk { Offset = offset, Data = Google.Protobuf.UnsafeByteOperations.UnsafeWrap(data), TotalBytes = total, DoneBytes = offset + (ulong)n };
            offset += (ulong)n;
            if (offset >= total)
            {
                chunk.Sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
                await context.Credit.TakeAsync(ct).ConfigureAwait(false);
                LogExported(source, total, sw.Elapsed.TotalMilliseconds);
                return new CommandResult { Chunk = chunk };
            }
            await context.SendChunkAsync(chunk, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// An agent killed during an export leaves its temporary cut in the chain and its NBD export in
    /// the daemon; the next export of the volume removes both (those of exports running in this
    /// run excepted), so the chain does not grow by one file per interrupted export.
    /// </summary>
    private async Task FoldLeftoversAsync(string volumeId, ServedVolume volume, string baseFile, CancellationToken ct)
    {
        foreach (var name in await volume.ReadOnlyExportsAsync(ct).ConfigureAwait(false))
            if (!_inFlight.ContainsKey(name))
                try { await volume.RemoveReadOnlyExportAsync(name, ct).ConfigureAwait(false); } catch (Infra.Qmp.QmpCommandException) { /* gone meanwhile */ }
        foreach (var overlay in SnapshotNaming.OverlaysOf(baseFile))
            if (Path.GetFileName(overlay).Contains("@" + SnapshotNaming.TemporaryPrefix, StringComparison.Ordinal) && !_inFlight.ContainsKey(overlay))
                await FoldAsync(volumeId, volume, overlay).ConfigureAwait(false);
    }

    /// <summary>Folds a temporary cut back into the image it froze; never cancelled (it must not stay half done).</summary>
    private async Task FoldAsync(string source, ServedVolume volume, string temporary)
    {
        try
        {
            using (await LockAsync([source], CancellationToken.None).ConfigureAwait(false))
            {
                var top = await volume.NodeOfAsync(temporary).ConfigureAwait(false) ?? throw new InvalidOperationException("the daemon has no node for it");
                var below = await images.BackingPathAsync(temporary).ConfigureAwait(false) ?? throw new InvalidOperationException("it has no backing file");
                var into = await volume.NodeOfAsync(below).ConfigureAwait(false) ?? throw new InvalidOperationException($"the daemon has no node for {below}");
                await volume.CommitAsync(top, into, CommitTimeout).ConfigureAwait(false);
                File.Delete(temporary);
            }
        }
        catch (Exception e) { LogFoldFailed(source, temporary, e.Message); }
    }
}
