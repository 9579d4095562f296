using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Infra.Grpc.Health;

namespace Infra.Grpc;

public static class HealthServiceExtensions
{
    /// <summary>Registers the HealthStatusManager (inject it to set statuses) and the Health service.</summary>
    public static IServiceCollection AddGrpcHealth(this IServiceCollection services)
    {
        services.TryAddSingleton<HealthStatusManager>();
        services.TryAddSingleton<HealthService>();
        return services;
    }

    public static IEndpointRouteBuilder MapGrpcHealthService(this IEndpointRouteBuilder endpoints) => endpoints.MapGrpcService<HealthService>();
}
