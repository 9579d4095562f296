namespace Infra.Store.Sqlite;

/// <summary>Configuration of the embedded single-node store.</summary>
/// <param name="Path">The database file; its -wal and -shm companions live beside it.</param>
/// <param name="LeaseCheckInterval">How often (on the injected clock) expired leases are reaped.</param>
/// <param name="WatchPollInterval">
/// Watchers wake on every in-process commit; the poll only matters when another process writes the file.
/// </param>
public sealed record SqliteStoreOptions(
    string Path = SqliteStoreOptions.DefaultPath,
    TimeSpan LeaseCheckInterval = default,
    TimeSpan WatchPollInterval = default)
{
    public const string DefaultPath = "/var/lib/infra/state.db";

    public TimeSpan EffectiveLeaseCheckInterval => LeaseCheckInterval == default ? TimeSpan.FromMilliseconds(500) : LeaseCheckInterval;
    public TimeSpan EffectiveWatchPollInterval => WatchPollInterval == default ? TimeSpan.FromSeconds(1) : WatchPollInterval;

    /// <summary>Every problem at once, empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Path)) errors.Add("store path is empty: set it to a file such as " + DefaultPath);
        else if (Directory.Exists(Path)) errors.Add($"store path '{Path}' is a directory: name a file inside it, e.g. '{System.IO.Path.Combine(Path, "state.db")}'");
        if (LeaseCheckInterval < TimeSpan.Zero) errors.Add("lease check interval must be positive");
        if (WatchPollInterval < TimeSpan.Zero) errors.Add("watch poll interval must be positive");
        return errors;
    }
}
