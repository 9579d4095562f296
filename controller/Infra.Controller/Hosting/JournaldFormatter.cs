using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Infra.Controller.Hosting;

/// <summary>
/// One line per log entry on stdout. Under systemd (JOURNAL_STREAM set) each line starts with the
/// sd-daemon priority prefix "&lt;N&gt;" so journald records the right level without a socket client.
/// </summary>
public sealed class JournaldFormatter() : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "infra-journald";
    public static bool UnderSystemd => Environment.GetEnvironmentVariable("JOURNAL_STREAM") is { Length: > 0 };

    public static int Priority(LogLevel level) => level switch
    {
        LogLevel.Critical => 2,
        LogLevel.Error => 3,
        LogLevel.Warning => 4,
        LogLevel.Information => 6,
        _ => 7,
    };

    public override void Write<TState>(in LogEntry<TState> entry, Microsoft.Extensions.Logging.IExternalScopeProvider? scopeProvider, TextWriter writer)
    {
        var message = entry.Formatter(entry.State, entry.Exception);
        if (message is null && entry.Exception is null) return;
        var text = entry.Exception is null ? message : $"{message} {entry.Exception}";
        text = text!.Replace('\n', ' ');
        if (UnderSystemd) writer.Write($"<{Priority(entry.LogLevel)}>");
        else writer.Write($"{DateTimeOffset.UtcNow:O} {entry.LogLevel.ToString().ToLowerInvariant()[..4]} ");
        writer.Write(entry.Category);
        writer.Write(": ");
        writer.WriteLine(text);
    }
}
