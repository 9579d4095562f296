namespace Infra.Controller.Domain.Errors;

/// <summary>
/// What an agent's command error (CommandResult.error, one line of text) means for the API caller.
/// The agent answered, so the outcome is definite: FAILED_PRECONDITION naming the host and quoting the
/// agent. A snapshot that required quiescing and failed because the guest could not be frozen gets its
/// own type, so clients can retry without require_quiesce.
/// </summary>
public static class AgentFailure
{
    public const string QuiesceFailed = "QUIESCE_FAILED";
    public const string SnapshotFailed = "SNAPSHOT_FAILED";
    public const string ExportFailed = "EXPORT_FAILED";
    public const string DeleteFailed = "SNAPSHOT_DELETE_FAILED";
    public const string ConsoleUnavailable = "CONSOLE_UNAVAILABLE";
    public const string ConsoleReadOnly = "CONSOLE_READ_ONLY";

    static readonly string[] QuiesceWords = ["quiesce", "freeze", "frozen", "guest agent", "guest-agent", "qga"];

    public static FailedPrecondition Snapshot(string subject, string hostId, string agentError, bool requireQuiesce)
    {
        if (requireQuiesce && QuiesceWords.Any(w => agentError.Contains(w, StringComparison.OrdinalIgnoreCase)))
            return new FailedPrecondition(QuiesceFailed, subject,
                $"host {hostId} could not quiesce the guest: {agentError}; retry without require_quiesce for a crash-consistent snapshot");
        return new FailedPrecondition(SnapshotFailed, subject, $"host {hostId} could not take the snapshot: {agentError}");
    }

    public static FailedPrecondition Export(string subject, string hostId, string agentError) =>
        new(ExportFailed, subject, $"host {hostId} could not export {subject}: {agentError}");

    /// <summary>A console (or its log) the agent cannot give: the VM does not run there, a session limit, an input the guest did not take.</summary>
    public static FailedPrecondition Console(string instanceId, string hostId, string agentError) =>
        new(agentError.Contains("read-only", StringComparison.Ordinal) ? ConsoleReadOnly : ConsoleUnavailable, instanceId,
            $"host {hostId}: {agentError}");

    public static FailedPrecondition Delete(string subject, string hostId, string agentError) =>
        new(DeleteFailed, subject, $"host {hostId} could not delete snapshot {subject}: {agentError}; the record is kept, retry the delete");
}
