using Infra.Grpc.Health.V1;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Infra.Grpc.Health;

/// <summary>grpc.health.v1.Health over a HealthStatusManager.</summary>
public sealed class HealthService(HealthStatusManager statuses) : V1.Health.HealthBase
{
    public override Task<HealthCheckResponse> Check(HealthCheckRequest request, ServerCallContext context)
    {
        if (!statuses.TryGetStatus(request.Service, out var status))
            throw new RpcException(new Status(StatusCode.NotFound, $"Unknown service '{request.Service}'."));
        return Task.FromResult(new HealthCheckResponse { Status = status });
    }

    public override async Task Watch(HealthCheckRequest request, IServerStreamWriter<HealthCheckResponse> responseStream, ServerCallContext context)
    {
        using var subscription = statuses.Subscribe(request.Service);
        try
        {
            await foreach (var status in subscription.Reader.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
                await responseStream.WriteAsync(new HealthCheckResponse { Status = status }, context.CancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested) { }
    }
}

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
