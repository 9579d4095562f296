using Infra.Ctl.Cli;
using Infra.Ctl.Config;
using Infra.Ctl.Transport;

namespace Infra.Ctl;

/// <summary>
/// What one run of infractl sees of the world: its writers, environment, $HOME, binary stdout and how to
/// reach the controller. Production uses the process's; tests substitute a temp HOME, a fixed request id
/// or a channel bound to an in-process server.
/// </summary>
public sealed record CtlHost(TextWriter Out, TextWriter Err)
{
    public IReadOnlyDictionary<string, string> Environment { get; init; } = ProcessEnvironment();
    public string? Home { get; init; } = System.Environment.GetEnvironmentVariable("HOME");
    public Func<CtlConfig, Grpc.Net.Client.GrpcChannel> ChannelFactory { get; init; } = CtlChannel.Create;
    public Func<string> NewRequestId { get; init; } = () => "ctl-" + Guid.NewGuid().ToString("N");
    /// <summary>Binary stdout for "volume export" without --file; text output still goes to Out.</summary>
    public Func<Stream> OpenStdout { get; init; } = Console.OpenStandardOutput;
    /// <summary>Delay between watch reconnects (tests make it short).</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>stdin/stdout as bytes and the terminal's raw mode, for "instance console".</summary>
    public Func<ICtlTerminal> Terminal { get; init; } = () => new ProcessTerminal();
    /// <summary>The clock relative times ("audit list --since 1h") count back from.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    static Dictionary<string, string> ProcessEnvironment()
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry e in System.Environment.GetEnvironmentVariables())
            d[(string)e.Key] = (string?)e.Value ?? "";
        return d;
    }
}
