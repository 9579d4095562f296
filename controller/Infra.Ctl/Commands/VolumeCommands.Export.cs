using System.CommandLine;
using Infra.Ctl.Cli;
using Infra.Ctl.Errors;
using Infra.V1;
using Command = System.CommandLine.Command;

namespace Infra.Ctl.Commands;

public static partial class VolumeCommands
{
    static Command ExportCommand(CommandKit kit)
    {
        var volume = new Argument<string?>("volume-id") { Description = "The volume (exported as of a snapshot taken at the start)", Arity = ArgumentArity.ZeroOrOne };
        var snapshot = new Option<string>("--snapshot") { Description = "Export this snapshot instead of a volume" };
        var file = new Option<string>("--file", "-f") { Description = "Write the RAW image here (default or '-': stdout)" };
        var chunk = new Option<uint>("--chunk-size") { Description = "Bytes per chunk (default 1 MiB, at most 4 MiB)" };
        var noProgress = new Option<bool>("--no-progress") { Description = "No progress bar on stderr" };
        var cmd = new Command("export", "Export a volume or snapshot as a RAW image, verifying its sha256") { volume, snapshot, file, chunk, noProgress };
        return kit.Custom(cmd, (p, _) => BuildExport(p.GetValue(volume), p.GetValue(snapshot), p.GetValue(chunk)), async s =>
        {
            var request = BuildExport(s.Parse.GetValue(volume), s.Parse.GetValue(snapshot), s.Parse.GetValue(chunk));
            var path = s.Parse.GetValue(file) is { Length: > 0 } f && f != "-" ? f : null;
            return await ExportAsync(s, request, path, !s.Parse.GetValue(noProgress));
        }, c => c.Volumes.ExportVolume(null!));
    }

    public static ExportVolumeRequest BuildExport(string? volumeId, string? snapshotId, uint chunkSize)
    {
        if ((volumeId is null) == (snapshotId is null)) throw new UsageException("give a volume id or --snapshot ID (exactly one)");
        var r = new ExportVolumeRequest { ChunkSize = chunkSize };
        if (volumeId is not null) r.VolumeId = volumeId; else r.SnapshotId = snapshotId!;
        return r;
    }

    // A file is written as PATH.partial and renamed only once the checksum matched, so PATH never holds a bad image.
    static async Task<int> ExportAsync(CtlSession s, ExportVolumeRequest request, string? path, bool progressBar)
    {
        var partial = path is null ? null : path + ".partial";
        var ok = false;
        try
        {
            await using (var target = partial is null ? s.Host.OpenStdout() : new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, useAsync: true))
            using (var sink = new RawExportSink(target))
            {
                var progress = new Progress(s.Err, "export", progressBar);
                using (var call = s.Rpc.Volumes.ExportVolume(request, s.Call(streaming: true)))
                {
                    while (await call.ResponseStream.MoveNext(s.CancellationToken))
                    {
                        var c = call.ResponseStream.Current;
                        await sink.AcceptAsync(c, s.CancellationToken);
                        progress.Report(c.DoneBytes > 0 ? c.DoneBytes : sink.Written, sink.Total);
                    }
                }
                progress.Done();
                sink.Finish();
                await target.FlushAsync(s.CancellationToken);
                if (partial is not null) File.Move(partial, path!, overwrite: true);
                ok = true;
                var what = request.HasVolumeId ? request.VolumeId : request.SnapshotId;
                var summary = s.Format == OutputFormat.Json
                    ? $"{{\"source\":\"{what}\",\"file\":{(path is null ? "null" : System.Text.Json.JsonSerializer.Serialize(path))},\"bytes\":\"{sink.Written}\",\"sha256\":\"{sink.LocalSha256}\"}}"
                    : $"exported {what} to {path ?? "stdout"}: {sink.Written} bytes, sha256 {sink.LocalSha256} (verified)";
                // With the image on stdout, the summary must not corrupt it.
                (path is null ? s.Err : s.Out).WriteLine(summary);
                return ExitCodes.Ok;
            }
        }
        finally
        {
            if (!ok && partial is not null && File.Exists(partial)) File.Delete(partial);
        }
    }
}
