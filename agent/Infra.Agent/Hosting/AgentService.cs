using Infra.Agent.Config;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace Infra.Agent.Hosting;

/// <summary>
/// Runs the shipped composition (<see cref="AgentHost"/>) as the Generic Host's one service.
/// StartAsync builds the graph and starts enforcing the persisted state; only then does the host
/// raise ApplicationStarted, which Hosting.Systemd's lifetime turns into READY=1, so READY keeps its
/// meaning (the graph is up, the controller may still be away). StopAsync (SIGTERM: the lifetime
/// sends STOPPING=1 first) stops the loops and closes connections; VMs, volumes and flows stay.
/// A run loop that ends on its own is a failure: the host stops and the daemon exits 1.
/// <see cref="IsHealthy"/> is what the watchdog pet asks.
/// </summary>
public sealed partial class AgentService(AgentConfig config, ILoggerFactory logs, IHostApplicationLifetime lifetime,
    TimeProvider time, ISystemdNotifier? notifier) : IHostedService
{
    private readonly ILogger _log = logs.CreateLogger<AgentService>();
    private readonly CancellationTokenSource _stop = new();
    private AgentHost? _host;
    private Task? _run;

    /// <summary>Why the agent stopped on its own, or null (still running, or stopped on request).</summary>
    public Exception? Failure { get; private set; }

    /// <summary>The running composition (null until started).</summary>
    public AgentHost? Host => _host;

    /// <summary>
    /// True while starting, and while the run loop is alive and no apply pass has been running for
    /// longer than <see cref="AgentConfig.ApplyStallLimit"/> (a hung pass: an unanswered QMP or bus call).
    /// </summary>
    public bool IsHealthy
    {
        get
        {
            if (Failure is not null || _run is { IsCompleted: true }) return false;
            return _host?.Apply.PassRunningSince is not { } since || time.GetUtcNow() - since <= config.ApplyStallLimit;
        }
    }

    /// <inheritdoc/>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        AgentHost host;
        try { host = await AgentHost.CreateAsync(config, logs, cancellationToken).ConfigureAwait(false); }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Failure = e;
            LogFailed(e.Message, e);
            throw;
        }
        _host = host;
        host.Session.StateChanged += (s, why) => Status($"controller session {s}: {why}; desired v{host.Apply.Current.Version}");
        _run = RunAsync(host);
        Status($"agent for host {config.HostId} started; dialing {config.Controller.Url}");
        LogStarted(config.HostId, config.StateDir, config.Controller.Url);
    }

    private async Task RunAsync(AgentHost host)
    {
        try
        {
            await host.RunAsync(Status, _stop.Token).ConfigureAwait(false);
            if (_stop.IsCancellationRequested) return;
            Failure = new InvalidOperationException("the agent's run loop ended on its own");
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested) { return; }
        catch (Exception e) { Failure = e; }
        LogFailed(Failure.Message, Failure);
        lifetime.StopApplication();
    }

    /// <inheritdoc/>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        LogStopping();
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_run is not null) await _run.ConfigureAwait(false);
        if (_host is not null) await _host.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>STATUS= for `systemctl status`; one line (a newline would end the assignment).</summary>
    private void Status(string text) => notifier?.Notify(new ServiceState("STATUS=" + text.ReplaceLineEndings(" ")));
}
