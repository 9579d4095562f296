using Infra.Controller.Domain.Commands;
using Infra.Controller.Domain.Errors;
using Infra.Controller.Domain.Model;
using Infra.V1;

namespace Infra.Controller.Domain.Validation;

/// <summary>
/// Parses console requests. A console session's first message must be <c>open</c>; later ones carry
/// input of 1 byte to 64 KiB (one message is one write to the guest; keystrokes are tiny, a pasted
/// script is split by the client). Replay: at most 64 KiB; log tail: 0 means 64 KiB, at most 1 MiB,
/// so one answer stays well under gRPC's 4 MiB message limit.
/// </summary>
public static class ConsoleValidation
{
    public const int MaxTailBytes = 64 << 10;
    public const int DefaultLogBytes = 64 << 10;
    public const int MaxLogBytes = 1 << 20;
    public const int MaxInputBytes = 64 << 10;

    /// <summary>The first message of Instances.Console.</summary>
    public static ValidationResult<OpenConsole> Validate(ConsoleRequest first)
    {
        var v = new Violations();
        if (first.KindCase != ConsoleRequest.KindOneofCase.Open)
        {
            v.Add("open", "the first message of a console session must be open (instance_id, access), before any input");
            return v.Finish<OpenConsole>(() => null!);
        }
        var o = first.Open;
        var id = v.Id("open.instance_id", o.InstanceId, IdKind.Instance);
        ConsoleAccessMode? access = o.Access switch
        {
            ConsoleAccess.Unspecified or ConsoleAccess.Write => ConsoleAccessMode.Write,
            ConsoleAccess.ReadOnly => ConsoleAccessMode.ReadOnly,
            ConsoleAccess.Takeover => ConsoleAccessMode.Takeover,
            _ => null,
        };
        if (access is null) v.Add("open.access", $"not a known value ({(int)o.Access}); use READ_ONLY, WRITE or TAKEOVER");
        if (o.TailBytes > MaxTailBytes) v.Add("open.tail_bytes", $"must be at most {MaxTailBytes} (the replay of recent output); got {o.TailBytes}; use GetConsoleLog for more");
        return v.Finish(() => new OpenConsole(id!, access!.Value, (int)o.TailBytes));
    }

    /// <summary>A later message of Instances.Console: the input bytes, or the problem with the message.</summary>
    public static string? InputProblem(ConsoleRequest r) => r.KindCase switch
    {
        ConsoleRequest.KindOneofCase.Open => "open may be sent only once, as the first message",
        ConsoleRequest.KindOneofCase.Input when r.Input.Length is 0 or > MaxInputBytes => $"must be 1 to {MaxInputBytes} bytes; got {r.Input.Length}; split longer input",
        ConsoleRequest.KindOneofCase.Input => null,
        _ => "set input (or open, first)",
    };

    public static ValidationResult<GetConsoleLog> Validate(GetConsoleLogRequest r)
    {
        var v = new Violations();
        var id = v.Id("instance_id", r.InstanceId, IdKind.Instance);
        if (r.TailBytes > MaxLogBytes) v.Add("tail_bytes", $"must be at most {MaxLogBytes} (1 MiB; 0 means {DefaultLogBytes}); got {r.TailBytes}");
        return v.Finish(() => new GetConsoleLog(id!, r.TailBytes == 0 ? DefaultLogBytes : (int)r.TailBytes));
    }
}
