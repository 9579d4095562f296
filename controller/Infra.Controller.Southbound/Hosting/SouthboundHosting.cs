using Infra.Controller.Core.Placement;
using Infra.Controller.Southbound.Commands;
using Infra.Controller.Southbound.Failure;
using Infra.Controller.Southbound.Session;
using Grpc.Core;
using Infra.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Infra.Controller.Southbound.Hosting;

/// <summary>
/// Wiring for the controller daemon: <c>services.AddSouthbound(options)</c> (needs an
/// <see cref="IKeyValueStore"/> and AddGrpc registered), then <c>app.MapAgentSession()</c>.
/// The failure detector runs as a hosted service and only acts while it holds the election.
/// </summary>
public static class SouthboundHosting
{
    public static IServiceCollection AddSouthbound(this IServiceCollection services, SouthboundOptions options)
    {
        var errors = options.Validate();
        if (errors.Count > 0) throw new ArgumentException("invalid southbound options: " + string.Join("; ", errors), nameof(options));
        services.AddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ChangeFeed>();
        services.AddSingleton<Infra.Controller.Southbound.Cluster.SnapshotCache>();
        services.AddSingleton<SessionRegistry>();
        services.AddSingleton<RevocationWatch>();
        services.AddHostedService<RevocationHost>();
        services.AddSingleton<AgentSessionService>();
        // The daemon registers the ReplicaAddress it sets once its listener is bound.
        services.TryAddSingleton<ReplicaAddress>();
        services.AddSingleton<SessionDirectory>();
        services.AddSingleton<CommandRouter>();
        services.AddSingleton<IHostCommands>(sp => sp.GetRequiredService<CommandRouter>());
        services.AddSingleton<CommandRelayService>();
        services.AddHostedService<DirectoryHost>();
        // The daemon registers the API first, whose ClaimStore (same root, same policy) wins here.
        services.TryAddSingleton(sp => new ClaimStore(sp.GetRequiredService<IKeyValueStore>(), options.Placement, StoreLayout.ClaimsRoot));
        services.AddSingleton<Evacuator>();
        services.AddSingleton<HostFailureDetector>();
        services.AddHostedService<DetectorHost>();
        return services;
    }

    /// <summary>Maps infra.v1.AgentSession and infra.v1.CommandRelay (replica to replica).</summary>
    public static IEndpointRouteBuilder MapAgentSession(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<AgentSessionService>();
        endpoints.MapGrpcService<CommandRelayService>();
        return endpoints;
    }

    /// <summary>Keeps the session directory's lease alive; revokes it on shutdown so other replicas stop relaying here at once.</summary>
    sealed class DirectoryHost(SessionDirectory directory) : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => directory.RunAsync(stoppingToken);

        public override async Task StopAsync(CancellationToken cancellationToken)
        {
            await base.StopAsync(cancellationToken).ConfigureAwait(false);
            try { await directory.RevokeAsync(cancellationToken).ConfigureAwait(false); }
            catch (Exception e) when (e is not OutOfMemoryException) { /* the lease expires by itself */ }
        }
    }

    sealed class RevocationHost(RevocationWatch watch) : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => watch.RunAsync(stoppingToken);
    }

    sealed class DetectorHost(HostFailureDetector detector) : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => detector.RunAsync(stoppingToken);
    }
}
