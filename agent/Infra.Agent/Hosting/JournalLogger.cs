using Microsoft.Extensions.Logging;

namespace Infra.Agent.Hosting;

/// <summary>
/// Logs one line per message to stdout with a "&lt;N&gt;" syslog priority prefix, which journald turns
/// into the entry's priority (SyslogLevelPrefix=yes, the default), so `journalctl -p warning` works
/// without a journald client. Exceptions are folded onto the same line.
/// </summary>
public sealed class JournalLoggerProvider(LogLevel minimum, TextWriter? output = null) : ILoggerProvider
{
    private readonly TextWriter _out = output ?? Console.Out;
    private readonly Lock _lock = new();

    /// <inheritdoc/>
    public ILogger CreateLogger(string categoryName) => new JournalLogger(this, ShortName(categoryName));

    /// <inheritdoc/>
    public void Dispose() => _out.Flush();

    /// <summary>The syslog priority of a level.</summary>
    public static int Priority(LogLevel level) => level switch
    {
        LogLevel.Critical => 2,
        LogLevel.Error => 3,
        LogLevel.Warning => 4,
        LogLevel.Information => 6,
        _ => 7,
    };

    private static string ShortName(string category) => category[(category.LastIndexOf('.') + 1)..];

    private sealed class JournalLogger(JournalLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel level) => level >= owner.minimum && level != LogLevel.None;

        public void Log<TState>(LogLevel level, EventId id, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(level)) return;
            var text = formatter(state, exception).Replace('\n', ' ');
            if (exception is not null) text += " | " + exception.ToString().Replace('\n', ' ');
            lock (owner._lock)
            {
                owner._out.WriteLine($"<{Priority(level)}>{category}[{id.Id}]: {text}");
                owner._out.Flush();
            }
        }
    }

    private readonly LogLevel minimum = minimum;
}
