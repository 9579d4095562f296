using Infra.V1;

namespace Infra.Controller.Southbound.Commands;

/// <summary>
/// Bounds on what one command may ask of a session, applied where every command enters one (local
/// API calls and commands relayed by another replica alike): an export's window and chunk size and a
/// console's window. They bound the memory one command can hold on this controller (window × chunk
/// buffered per export) and how much one export can put on the session stream it shares with desired
/// state and heartbeats. A request past them is clamped, not refused: the public API already refuses
/// a bad chunk_size by name (INVALID_ARGUMENT), so what reaches here out of range is a peer's or the
/// operator's configured window, and the export still works, only with less in flight.
/// </summary>
public static class CommandLimits
{
    /// <summary>Most data chunks (export) or results (console) the agent may have in flight for one command.</summary>
    public const uint MaxWindow = 16;
    /// <summary>Export chunks: 4 KiB blocks, at most 4 MiB (what ExportVolumeRequest.chunk_size allows).</summary>
    public const uint ChunkAlign = 4096;
    public const uint MaxChunkSize = 4 << 20;

    /// <summary>The command as it may run: <paramref name="command"/> itself when within bounds, else a clamped copy.</summary>
    public static Command Clamp(Command command)
    {
        switch (command.OpCase)
        {
            case Command.OpOneofCase.Export:
                var e = command.Export;
                // 0 keeps its meaning (the agent's default, 1 MiB).
                var chunk = e.ChunkSize == 0 ? 0u : Math.Clamp(e.ChunkSize / ChunkAlign * ChunkAlign, ChunkAlign, MaxChunkSize);
                var window = Window(e.Window);
                if (chunk == e.ChunkSize && window == e.Window) return command;
                var export = command.Clone();
                (export.Export.ChunkSize, export.Export.Window) = (chunk, window);
                return export;
            case Command.OpOneofCase.Console when Window(command.Console.Window) != command.Console.Window:
                var console = command.Clone();
                console.Console.Window = Window(command.Console.Window);
                return console;
            default:
                return command;
        }
    }

    // 0 keeps its meaning (the agent's and CreditLedger's default of 4).
    static uint Window(uint asked) => Math.Min(asked, MaxWindow);
}
