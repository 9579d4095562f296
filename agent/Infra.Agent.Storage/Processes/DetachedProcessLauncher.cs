using Infra.Processes;

namespace Infra.Agent.Storage.Processes;

/// <summary>
/// Starts daemons that outlive the agent on hosts without systemd (the supervised runner's
/// counterpart for storage), through Infra.Processes' <see cref="DetachedProcess"/>: its own session,
/// re-parented to init, stdout/stderr appended to <c>logDirectory/&lt;name&gt;.log</c>.
/// </summary>
public sealed class DetachedProcessLauncher(string logDirectory) : IProcessLauncher
{
    public async Task<IManagedProcess> StartAsync(ProcessSpec spec, CancellationToken ct = default) =>
        await DetachedProcess.StartAsync(spec.Name, spec.FileName, spec.Arguments, logDirectory, ct).ConfigureAwait(false);
}
