namespace Infra.Controller.Southbound.Commands;

/// <summary>
/// Export and console flow control, pure. The agent starts with <see cref="Window"/> chunks of credit; every data
/// chunk it sends spends one, and the controller gives one back each time the caller has taken a chunk.
/// So at most Window chunks of one export are ever buffered on the controller, whatever the caller's
/// speed, and a chunk that arrives with no credit left is a broken agent (the command fails; the
/// session's read loop never waits on a slow caller).
/// </summary>
public sealed class CreditLedger
{
    /// <summary>ExportCommand.window (and ConsoleCommand.window) 0 means this many.</summary>
    public const uint DefaultWindow = 4;

    uint _credit;

    public CreditLedger(uint window)
    {
        Window = window == 0 ? DefaultWindow : window;
        _credit = Window;
    }

    public uint Window { get; }

    /// <summary>Chunks the agent may still send without waiting.</summary>
    public uint Credit => _credit;

    /// <summary>A data chunk arrived; false when the agent had no credit for it (oversend).</summary>
    public bool TryReceive()
    {
        if (_credit == 0) return false;
        _credit--;
        return true;
    }

    /// <summary>The caller took a chunk: the credit to send back to the agent (always 1, never above the window).</summary>
    public uint Consumed()
    {
        if (_credit >= Window) return 0;
        _credit++;
        return 1;
    }

    /// <summary>
    /// Whether a result spends credit: export data chunks do, and every console result (output, a
    /// role change or the close: the agent takes credit before each, so a console can never queue
    /// more than its window); final/progress-only/error results do not.
    /// </summary>
    public static bool IsData(Infra.V1.CommandResult r) => r.Chunk is { } c && !c.Data.IsEmpty || r.Console is not null;
}
