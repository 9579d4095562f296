using System.Text.Json;
using System.Text.Json.Nodes;

namespace Infra.Agent.Storage.Volumes;

/// <summary>A block job ended with an error; Message is qemu's reason.</summary>
public sealed class BlockJobFailedException(string jobId, string error)
    : Exception($"block job {jobId} failed: {error}")
{
    public string JobId { get; } = jobId;
}

public sealed partial class ServedVolume
{
    private int _jobs;

    /// <summary>
    /// Copies everything the top image reads from its backing chain into the top image (block-stream)
    /// and drops the backing link, so a clone stops depending on its base image. Runs while the VM
    /// keeps using the disk; returns once qemu reported BLOCK_JOB_COMPLETED and the job is dismissed
    /// (status "null"), so its id is free and the backing link is gone from the image header.
    /// </summary>
    public async Task FlattenAsync(TimeSpan timeout, IProgress<string>? statusChanges = null, CancellationToken ct = default)
    {
        var jobId = $"stream{++_jobs}";
        using var events = Daemon.Qmp.Subscribe(n => n is "BLOCK_JOB_COMPLETED" or "BLOCK_JOB_CANCELLED" or "JOB_STATUS_CHANGE");
        await Daemon.Qmp.ExecuteAsync("block-stream", new JsonObject { ["job-id"] = jobId, ["device"] = TopNode }, ct: ct)
            .ConfigureAwait(false);
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(timeout);
        try
        {
            string? error = null;
            var completed = false;
            await foreach (var e in events.Reader.ReadAllAsync(timer.Token).ConfigureAwait(false))
            {
                if (e.Name == "JOB_STATUS_CHANGE" && Str(e.Data, "id") == jobId)
                {
                    var status = Str(e.Data, "status") ?? "";
                    statusChanges?.Report(status);
                    if (status == "null" && completed)
                    {
                        if (error is not null) throw new BlockJobFailedException(jobId, error);
                        return;
                    }
                }
                else if (e.Name == "BLOCK_JOB_COMPLETED" && Str(e.Data, "device") == jobId)
                {
                    completed = true;
                    error = Str(e.Data, "error");
                }
                else if (e.Name == "BLOCK_JOB_CANCELLED" && Str(e.Data, "device") == jobId)
                    (completed, error) = (true, "cancelled (block-job-cancel or daemon shutdown)");
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"block job {jobId} on volume {Spec.Id} did not finish within {timeout}; it keeps running in the daemon (query-jobs)");
        }
        throw new Infra.Qmp.QmpConnectionClosedException($"daemon connection closed during block job {jobId}");
    }

    private static string? Str(JsonElement data, string name) =>
        data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var v) ? v.GetString() : null;
}
