using System.Text.Json;

namespace Infra.Qmp.GuestAgent;

/// <summary>Filesystem freeze state as reported by guest-fsfreeze-status.</summary>
public enum FreezeStatus { Thawed, Frozen, NoGuestAgent }

/// <summary>Outcome of a freeze or thaw. NoGuestAgent is an expected outcome (crash-consistent snapshot), not an error.</summary>
public sealed record FreezeResult(FreezeStatus Status, int FilesystemCount, string? Detail = null)
{
    public static FreezeResult NoAgent(string detail) => new(FreezeStatus.NoGuestAgent, 0, detail);
}

public sealed partial class GuestAgentClient
{
    /// <summary>
    /// guest-fsfreeze-freeze. If the agent does not answer the sync within the sync timeout, returns
    /// NoGuestAgent instead of throwing: callers then take a crash-consistent snapshot.
    /// </summary>
    public async Task<FreezeResult> FreezeAsync(TimeSpan? timeout = null, CancellationToken ct = default)
    {
        if (await ProbeAsync(ct).ConfigureAwait(false) is { } none) return none;
        var n = await CallAsync("guest-fsfreeze-freeze", timeout ?? _options.FreezeTimeout, ct).ConfigureAwait(false);
        return new FreezeResult(FreezeStatus.Frozen, n.ValueKind == JsonValueKind.Number ? n.GetInt32() : 0);
    }

    /// <summary>guest-fsfreeze-thaw; returns the number of filesystems thawed.</summary>
    public async Task<FreezeResult> ThawAsync(TimeSpan? timeout = null, CancellationToken ct = default)
    {
        if (await ProbeAsync(ct).ConfigureAwait(false) is { } none) return none;
        var n = await CallAsync("guest-fsfreeze-thaw", timeout, ct).ConfigureAwait(false);
        return new FreezeResult(FreezeStatus.Thawed, n.ValueKind == JsonValueKind.Number ? n.GetInt32() : 0);
    }

    /// <summary>guest-fsfreeze-status: "thawed" or "frozen".</summary>
    public async Task<FreezeStatus> GetFreezeStatusAsync(TimeSpan? timeout = null, CancellationToken ct = default)
    {
        if (await ProbeAsync(ct).ConfigureAwait(false) is not null) return FreezeStatus.NoGuestAgent;
        var s = await CallAsync("guest-fsfreeze-status", timeout, ct).ConfigureAwait(false);
        return s.GetString() switch
        {
            "frozen" => FreezeStatus.Frozen,
            "thawed" => FreezeStatus.Thawed,
            var other => throw new Infra.Qmp.QmpProtocolException($"unknown freeze status '{other}'"),
        };
    }

    private async Task<FreezeResult?> ProbeAsync(CancellationToken ct)
    {
        if (_synced) return null;
        try { await SyncAsync(_options.SyncTimeout, ct).ConfigureAwait(false); return null; }
        catch (GuestAgentTimeoutException e) { return FreezeResult.NoAgent($"no guest agent: {e.Message}"); }
    }
}
