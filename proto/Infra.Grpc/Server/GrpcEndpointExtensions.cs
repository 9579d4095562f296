using Infra.Grpc.Protocol;
using Infra.Grpc.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Infra.Grpc;

/// <summary>Wiring on ASP.NET Core: services.AddGrpc(), then app.MapGrpcService&lt;MyService&gt;().</summary>
public static class GrpcEndpointExtensions
{
    public static IServiceCollection AddGrpc(this IServiceCollection services, Action<GrpcServerOptions>? configure = null)
    {
        services.AddRouting();
        services.TryAddSingleton<GrpcServiceRegistry>();
        if (configure is not null) services.Configure(configure);
        return services;
    }

    /// <summary>Maps every RPC of TService. TService is taken from DI when registered (any lifetime),
    /// otherwise built per call with its constructor dependencies from DI.</summary>
    public static IEndpointRouteBuilder MapGrpcService<TService>(this IEndpointRouteBuilder endpoints) where TService : class, IGrpcService
    {
        var sp = endpoints.ServiceProvider;
        var registry = sp.GetService<GrpcServiceRegistry>() ?? throw new InvalidOperationException("Call services.AddGrpc() before mapping gRPC services.");
        var options = sp.GetRequiredService<IOptions<GrpcServerOptions>>().Value;
        Func<IServiceProvider, object> activator;
        if (sp.GetService<IServiceProviderIsService>()?.IsService(typeof(TService)) == true)
            activator = static s => s.GetRequiredService<TService>();
        else
        {
            var factory = ActivatorUtilities.CreateFactory(typeof(TService), Type.EmptyTypes);
            activator = s => factory(s, null);
        }

        var binder = new ServiceBinder(activator, options);
        TService.BindService(binder);
        registry.Add(TService.Descriptor);
        foreach (var handler in binder.Handlers)
        {
            var h = handler;
            endpoints.MapPost(h.Path, h.HandleAsync).WithDisplayName("gRPC " + h.Path);
        }
        MapUnimplemented(endpoints, registry);
        return endpoints;
    }

    static void MapUnimplemented(IEndpointRouteBuilder endpoints, GrpcServiceRegistry registry)
    {
        if (!registry.TryMarkFallbackMapped()) return;
        // Literal method routes win over this pattern, so only unknown paths land here.
        endpoints.MapPost("/{service}/{method}", static http =>
        {
            var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Infra.Grpc.Server");
            ServerLog.Unimplemented(logger, http.Request.Path);
            http.Response.ContentType = GrpcHeaders.ContentType;
            var service = http.Request.RouteValues["service"] as string ?? "";
            var known = http.RequestServices.GetRequiredService<GrpcServiceRegistry>().Contains(service);
            http.Response.Headers[GrpcHeaders.Status] = ((int)StatusCode.Unimplemented).ToString(System.Globalization.CultureInfo.InvariantCulture);
            http.Response.Headers[GrpcHeaders.Message] = StatusMessage.Encode(known
                ? $"Method '{http.Request.RouteValues["method"]}' is not implemented by service '{service}'."
                : $"Service '{service}' is unimplemented.");
            return Task.CompletedTask;
        }).WithDisplayName("gRPC unimplemented")
          // Last resort: an application's own two-segment POST routes must win over this catch-all.
          .Add(b => { if (b is RouteEndpointBuilder r) r.Order = int.MaxValue; });
    }
}
