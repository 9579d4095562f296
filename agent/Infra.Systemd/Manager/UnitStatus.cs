namespace Infra.Systemd.Manager;

/// <summary>How a job ended, from the JobRemoved signal's result string.</summary>
public enum JobResult { Done, Canceled, Timeout, Failed, Dependency, Skipped, Unknown }

/// <summary>What the agent reads back about a unit. MainPid is 0 and ControlGroup empty when it is not running.</summary>
public sealed record UnitStatus(
    string Name,
    string ActiveState,
    string SubState,
    uint MainPid,
    string ControlGroup,
    string StatusText)
{
    public bool IsActive => ActiveState == "active";
}

public sealed record JobOutcome(string JobPath, string Unit, JobResult Result)
{
    public static JobResult ParseResult(string s) => s switch
    {
        "done" => JobResult.Done,
        "canceled" => JobResult.Canceled,
        "timeout" => JobResult.Timeout,
        "failed" => JobResult.Failed,
        "dependency" => JobResult.Dependency,
        "skipped" => JobResult.Skipped,
        _ => JobResult.Unknown,
    };
}
