using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Infra.Controller.Southbound.Tests.Support;

/// <summary>A logger provider that keeps every entry (event id, level, formatted message), for tests that check what was logged.</summary>
public sealed class RecordingLogs : ILoggerProvider
{
    public sealed record Entry(int EventId, LogLevel Level, string Message);

    readonly ConcurrentQueue<Entry> _entries = new();
    public IReadOnlyList<Entry> Entries => [.. _entries];

    public ILogger CreateLogger(string categoryName) => new Recorder(_entries);
    public void Dispose() { }

    sealed class Recorder(ConcurrentQueue<Entry> into) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            into.Enqueue(new Entry(eventId.Id, logLevel, formatter(state, exception)));
    }
}
