using Infra.Grpc.Server;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Infra.Grpc.Reflection;

namespace Infra.Grpc;

public static class ReflectionServiceExtensions
{
    public static IServiceCollection AddGrpcReflection(this IServiceCollection services)
    {
        services.TryAddSingleton<ReflectionServiceV1>();
        services.TryAddSingleton<ReflectionServiceV1Alpha>();
        return services;
    }

    /// <summary>Maps both reflection versions; map them after your own services (the index is built on first use).</summary>
    public static IEndpointRouteBuilder MapGrpcReflectionService(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<ReflectionServiceV1>();
        return endpoints.MapGrpcService<ReflectionServiceV1Alpha>();
    }
}
