using Google.Protobuf;
using Infra.Agent.Compute.Console;
using Infra.V1;

namespace Infra.Agent.Core.Commands;

public sealed partial class HostCommands
{
    /// <summary>Output bytes per console result: small enough that a console never holds the session stream for long.</summary>
    public const int ConsoleChunk = 16 << 10;
    /// <summary>Most recent output a session may ask to replay (ConsoleOpen.tail_bytes).</summary>
    public const int MaxConsoleTail = 64 << 10;
    /// <summary>Most of the log one ConsoleLogCommand returns (one result, well under the 4 MiB message limit).</summary>
    public const int MaxConsoleLog = 1 << 20, DefaultConsoleLog = 64 << 10;

    /// <summary>
    /// A console session until cancelled or until the console closes: each result carries one
    /// ConsoleResponse (output, the bytes this session missed, a role change) and takes one credit,
    /// the final one too. Credit is taken before reading, so output that arrives while the controller
    /// holds back credit gathers in the session's ring (and the freshest is sent when credit comes);
    /// the guest never waits for it.
    /// </summary>
    private async Task<CommandResult> ConsoleAsync(ConsoleCommand c, CommandContext context, CancellationToken ct)
    {
        if (c.InstanceId.Length == 0) throw new ArgumentException("console: instance_id is empty");
        if (c.TailBytes > MaxConsoleTail) throw new ArgumentException($"console: tail_bytes {c.TailBytes} is more than {MaxConsoleTail}");
        var console = vms.Consoles.Find(c.InstanceId) ?? throw new ConsoleUnavailableException(NotRunningHere(c.InstanceId));
        var mode = c.Access switch
        {
            ConsoleAccess.ReadOnly => ConsoleMode.ReadOnly,
            ConsoleAccess.Takeover => ConsoleMode.Takeover,
            _ => ConsoleMode.Write,
        };
        using var session = console.Open(context.Id, mode, (int)c.TailBytes);
        while (true)
        {
            await context.Credit.TakeAsync(ct).ConfigureAwait(false);
            var read = await session.ReadAsync(ConsoleChunk, ct).ConfigureAwait(false);
            var output = new ConsoleResponse { Data = UnsafeByteOperations.UnsafeWrap(read.Data), SkippedBytes = (ulong)read.Skipped };
            if (read.Role is { } role) output.Status = new ConsoleStatus { Writer = role.Writer, Reason = role.Reason };
            if (read.Closed is { } why)
            {
                output.Closed = why;
                return new CommandResult { Console = output };
            }
            context.SendTaken(new CommandResult { Console = output });
        }
    }

    /// <summary>Input for the console session named by session_id; refused unless it is the writer.</summary>
    private async Task<CommandResult> ConsoleInputAsync(ConsoleInputCommand c, CancellationToken ct)
    {
        if (c.InstanceId.Length == 0 || c.SessionId.Length == 0) throw new ArgumentException("console input: instance_id and session_id are required");
        var console = vms.Consoles.Find(c.InstanceId) ?? throw new ConsoleUnavailableException(NotRunningHere(c.InstanceId));
        await console.WriteAsync(c.SessionId, c.Data.Memory, ct).ConfigureAwait(false);
        return new CommandResult();
    }

    /// <summary>The end of the serial log; also for a VM that does not run now (its log stays while the VM is on this host).</summary>
    private Task<CommandResult> ConsoleLogAsync(ConsoleLogCommand c)
    {
        if (c.InstanceId.Length == 0) throw new ArgumentException("console log: instance_id is empty");
        if (vms.Store.Load(c.InstanceId) is null) throw new InvalidOperationException($"instance {c.InstanceId} has no VM on this host, so no console log");
        var bytes = c.TailBytes == 0 ? DefaultConsoleLog : (int)Math.Min(c.TailBytes, MaxConsoleLog);
        var (data, truncated) = vms.Consoles.ReadLog(c.InstanceId, vms.Store.PathsOf(c.InstanceId), bytes);
        return Task.FromResult(new CommandResult { ConsoleLog = new GetConsoleLogResponse { Data = UnsafeByteOperations.UnsafeWrap(data), Truncated = truncated } });
    }

    private string NotRunningHere(string id) => vms.Store.Load(id) is null
        ? $"instance {id} has no VM on this host"
        : $"instance {id} is not running, so its console is closed; its last output is in the console log";
}
