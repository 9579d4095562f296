using Infra.V1;

namespace Infra.Agent.Core.Commands;

/// <summary>What a running command may do besides returning its final result: send partial results, paced by credit.</summary>
public sealed class CommandContext(string id, CreditWindow credit, Action<CommandResult> send)
{
    /// <summary>The command's id.</summary>
    public string Id { get; } = id;

    /// <summary>The command's credit (data chunks it may still send).</summary>
    public CreditWindow Credit { get; } = credit;

    /// <summary>Sends a data chunk once there is credit for it (done = false; the final result is the command's return value).</summary>
    public async Task SendChunkAsync(ExportChunk chunk, CancellationToken ct)
    {
        await Credit.TakeAsync(ct).ConfigureAwait(false);
        send(new CommandResult { CommandId = Id, Chunk = chunk });
    }

    /// <summary>Sends a partial result whose credit the caller has taken already (<see cref="CreditWindow.TakeAsync"/>).</summary>
    public void SendTaken(CommandResult result)
    {
        result.CommandId = Id;
        send(result);
    }
}

/// <summary>Runs one command to its final result; throws to fail it (the message becomes the result's error).</summary>
public interface ICommandExecutor
{
    /// <summary>
    /// Runs <paramref name="command"/>. The returned result is sent as the final one (done = true).
    /// A result that carries a data chunk has used one credit: call <see cref="CreditWindow.TakeAsync"/> first.
    /// </summary>
    Task<CommandResult> RunAsync(Command command, CommandContext context, CancellationToken ct);
}
