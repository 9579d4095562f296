using Infra.V1;

namespace Infra.Controller.Southbound.Commands;

/// <summary>
/// Runs a command on a host through whichever replica holds its session. The results arrive in order
/// and end with the one marked done (an agent-side failure is a result with error set, not an
/// exception). Exceptions are RpcExceptions ready to return: UNAVAILABLE when the host is not connected
/// anywhere or disconnects meanwhile. Stopping the enumeration early cancels the command on the agent.
/// </summary>
public interface IHostCommands
{
    /// <param name="authorization">The original caller's authorization header, passed to the owning
    /// replica when the call is relayed (it authorizes it like any API call).</param>
    IAsyncEnumerable<CommandResult> RunAsync(string hostId, Command command, string? authorization, CancellationToken ct);
}
