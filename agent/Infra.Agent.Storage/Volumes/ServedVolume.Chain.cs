using System.Text.Json;
using System.Text.Json.Nodes;
using Infra.Agent.Storage.Images;
using Infra.Qmp;

namespace Infra.Agent.Storage.Volumes;

/// <summary>A format node of the daemon's block graph: its name, the file it opens and that file's format.</summary>
public sealed record ChainNode(string NodeName, string File, ImageFormat Format);

public sealed partial class ServedVolume
{
    /// <summary>The format node that opens <paramref name="file"/>, or null when the daemon has no such node.</summary>
    public async Task<ChainNode?> NodeOfAsync(string file, CancellationToken ct = default)
    {
        var nodes = await Daemon.Qmp.ExecuteAsync("query-named-block-nodes", new { Flat = true }, ct: ct).ConfigureAwait(false);
        foreach (var n in nodes.EnumerateArray())
        {
            var drv = n.GetProperty("drv").GetString();
            if (drv is not ("qcow2" or "raw") || n.GetProperty("file").GetString() != file) continue;
            return new ChainNode(n.GetProperty("node-name").GetString()!, file, drv == "raw" ? ImageFormat.Raw : ImageFormat.Qcow2);
        }
        return null;
    }

    /// <summary>NBD unix socket of this daemon's read export server (started on first use).</summary>
    public string NbdSocket => Path.Combine(Daemon.RunDir, "nbd.sock");

    /// <summary>
    /// Exports a node read-only over this daemon's NBD server (unix socket <see cref="NbdSocket"/>).
    /// Only frozen images (snapshots, or the image just cut off by a temporary snapshot) are exported
    /// this way, so a reader sees a fixed point in time.
    /// </summary>
    public async Task ExportReadOnlyAsync(string node, string exportName, CancellationToken ct = default)
    {
        if (!_nbdServer)
        {
            try { await Daemon.StartNbdServerAsync(NbdAddress.Unix(NbdSocket), ct).ConfigureAwait(false); }
            // An adopted daemon may already run the server from before the agent restarted.
            catch (QmpCommandException e) when (e.Desc.Contains("already", StringComparison.OrdinalIgnoreCase)) { }
            _nbdServer = true;
        }
        await Daemon.ExportNbdAsync("nbd-" + exportName, node, exportName, writable: false, ct).ConfigureAwait(false);
    }

    /// <summary>Names of the read-only exports made by <see cref="ExportReadOnlyAsync"/> that the daemon still has (also by a previous agent run).</summary>
    public async Task<IReadOnlyList<string>> ReadOnlyExportsAsync(CancellationToken ct = default)
    {
        var exports = await Daemon.Qmp.ExecuteAsync("query-block-exports", ct: ct).ConfigureAwait(false);
        return exports.EnumerateArray().Select(e => e.GetProperty("id").GetString() ?? "")
            .Where(id => id.StartsWith("nbd-", StringComparison.Ordinal)).Select(id => id[4..]).ToList();
    }

    /// <summary>Removes an export made by <see cref="ExportReadOnlyAsync"/>.</summary>
    public Task RemoveReadOnlyExportAsync(string exportName, CancellationToken ct = default) =>
        Daemon.RemoveExportAsync("nbd-" + exportName, ct);

    /// <summary>
    /// Folds image <paramref name="top"/> down into <paramref name="into"/> (its backing) with
    /// block-commit, while the volume stays in use. When <paramref name="top"/> is the active image
    /// this is an active commit: qemu mirrors new writes too, and on completion the export is moved
    /// onto <paramref name="into"/>, which becomes the active image. Otherwise the image above
    /// <paramref name="top"/> is re-pointed at <paramref name="into"/>. The caller deletes top's file.
    /// </summary>
    public async Task CommitAsync(ChainNode top, ChainNode into, TimeSpan timeout, CancellationToken ct = default)
    {
        var active = top.NodeName == TopNode;
        var args = new JsonObject { ["job-id"] = $"commit{++_jobs}", ["device"] = TopNode, ["base-node"] = into.NodeName };
        if (!active) args["top-node"] = top.NodeName;
        await RunJobAsync("block-commit", args, completeWhenReady: active, timeout, ct).ConfigureAwait(false);
        if (active) (TopNode, ActiveImage, ActiveFormat) = (into.NodeName, into.File, into.Format);
    }

    /// <summary>Runs a block job to its end: completes it when it is ready (mirror-like jobs), waits until it is dismissed.</summary>
    private async Task RunJobAsync(string command, JsonObject args, bool completeWhenReady, TimeSpan timeout, CancellationToken ct)
    {
        var jobId = args["job-id"]!.GetValue<string>();
        using var events = Daemon.Qmp.Subscribe(n => n is "BLOCK_JOB_COMPLETED" or "BLOCK_JOB_CANCELLED" or "JOB_STATUS_CHANGE");
        await Daemon.Qmp.ExecuteAsync(command, args, ct: ct).ConfigureAwait(false);
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(timeout);
        string? error = null;
        var completed = false;
        try
        {
            await foreach (var e in events.Reader.ReadAllAsync(timer.Token).ConfigureAwait(false))
            {
                if (e.Name == "JOB_STATUS_CHANGE" && Str(e.Data, "id") == jobId)
                {
                    var status = Str(e.Data, "status");
                    // Not cancellable once asked: completing is what leaves the chain consistent.
                    if (status == "ready" && completeWhenReady)
                        await Daemon.Qmp.ExecuteAsync("block-job-complete", new JsonObject { ["device"] = jobId }, ct: CancellationToken.None).ConfigureAwait(false);
                    else if (status == "null" && completed)
                    {
                        if (error is not null) throw new BlockJobFailedException(jobId, error);
                        return;
                    }
                }
                else if (e.Name == "BLOCK_JOB_COMPLETED" && Str(e.Data, "device") == jobId)
                    (completed, error) = (true, Str(e.Data, "error"));
                else if (e.Name == "BLOCK_JOB_CANCELLED" && Str(e.Data, "device") == jobId)
                    (completed, error) = (true, "cancelled (block-job-cancel or daemon shutdown)");
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"{command} job {jobId} on volume {Spec.Id} did not finish within {timeout}; it keeps running in the daemon (query-jobs)");
        }
        throw new QmpConnectionClosedException($"daemon connection closed during {command} job {jobId}");
    }
}
