using Infra.Controller.Core.Placement;
using Infra.Controller.Southbound.Failure;
using Infra.Controller.Southbound.Session;
using Infra.Grpc;
using Infra.Store;
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
        services.AddSingleton<AgentSessionService>();
        // The daemon registers the API first, whose ClaimStore (same root, same policy) wins here.
        services.TryAddSingleton(sp => new ClaimStore(sp.GetRequiredService<IKeyValueStore>(), options.Placement, StoreKeys.ClaimsRoot));
        services.AddSingleton<Evacuator>();
        services.AddSingleton<HostFailureDetector>();
        services.AddHostedService<DetectorHost>();
        return services;
    }

    public static IEndpointRouteBuilder MapAgentSession(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGrpcService<AgentSessionService>();

    sealed class DetectorHost(HostFailureDetector detector) : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => detector.RunAsync(stoppingToken);
    }
}
