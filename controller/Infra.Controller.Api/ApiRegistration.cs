using Grpc.AspNetCore.Server;
using Infra.Controller.Api.Audit;
using Infra.Controller.Api.Auth;
using Infra.Controller.Api.Credentials;
using Infra.Controller.Api.Enrollment;
using Infra.Controller.Api.Services;
using Infra.Controller.Api.Watch;
using Grpc.Core;
using Infra.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Infra.Controller.Api;

/// <summary>Registers and maps the northbound services; the daemon and the tests use the same two calls.</summary>
public static class ApiRegistration
{
    /// <summary>gRPC service names of the northbound API, for the health service.</summary>
    public static readonly string[] ServiceNames =
    [
        Infra.V1.Tenants.Descriptor.FullName, Infra.V1.Networks.Descriptor.FullName, Infra.V1.Policies.Descriptor.FullName, Infra.V1.Ports.Descriptor.FullName,
        Infra.V1.Instances.Descriptor.FullName, Infra.V1.Volumes.Descriptor.FullName, Infra.V1.Images.Descriptor.FullName, Infra.V1.Hosts.Descriptor.FullName,
        Infra.V1.KeyPairs.Descriptor.FullName,
        Infra.V1.Changes.Descriptor.FullName,
        Infra.V1.Audit.Descriptor.FullName,
        Infra.V1.Credentials.Descriptor.FullName,
        Infra.V1.Enrollment.Descriptor.FullName,
    ];

    /// <summary>
    /// The services and their authorization: call it after the gRPC server's composition
    /// (<c>GrpcServer.Add</c>, which registers authentication), so <see cref="MethodAuthorization"/> runs
    /// after the principal is known. Interceptors run in the order they are added.
    /// </summary>
    public static IServiceCollection AddInfraApi(this IServiceCollection services, IKeyValueStore store, ApiOptions options, TimeProvider? time = null)
    {
        var context = new ApiContext(store, options, time);
        services.AddSingleton(context);
        // Audit before authorization: interceptors run in the order added, so a call refused by its
        // rule still passes through the audit interceptor and a denied mutation leaves a record.
        AddAudit(services, store, options, context.Time);
        services.AddSingleton<MethodAuthorization>();
        services.Configure<GrpcServiceOptions>(o => o.Interceptors.Add<MethodAuthorization>());
        // One ClaimStore per daemon: the southbound's evacuator must see (and serialize with) the API's claims.
        services.TryAddSingleton(context.Claims);
        services.AddSingleton<TenantsService>();
        services.AddSingleton<NetworksService>();
        services.AddSingleton<PoliciesService>();
        services.AddSingleton<PortsService>();
        services.AddSingleton<InstancesService>();
        services.AddSingleton<VolumesService>();
        services.AddSingleton<ImagesService>();
        services.AddSingleton<HostsService>();
        services.AddSingleton<KeyPairsService>();
        services.AddSingleton<ChangesService>();
        // The verifier is the daemon's authentication's too (BearerTokenAuth resolves it): one cache, so a
        // revoke here drops the cached lookup at once.
        services.TryAddSingleton(sp => new CredentialVerifier(sp.GetRequiredService<CredentialStore>(), context.Time));
        services.TryAddSingleton(new CredentialStore(store));
        services.AddSingleton<CredentialsService>();
        AddEnrollment(services, store, context.Time);
        return services;
    }

    public static IEndpointRouteBuilder MapInfraApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<TenantsService>();
        endpoints.MapGrpcService<NetworksService>();
        endpoints.MapGrpcService<PoliciesService>();
        endpoints.MapGrpcService<PortsService>();
        endpoints.MapGrpcService<InstancesService>();
        endpoints.MapGrpcService<VolumesService>();
        endpoints.MapGrpcService<ImagesService>();
        endpoints.MapGrpcService<HostsService>();
        endpoints.MapGrpcService<KeyPairsService>();
        endpoints.MapGrpcService<ChangesService>();
        endpoints.MapGrpcService<AuditService>();
        endpoints.MapGrpcService<CredentialsService>();
        endpoints.MapGrpcService<EnrollmentService>();
        return endpoints;
    }

    /// <summary>Enrollment: the cluster CA (also what the daemon's client-certificate check trusts), join
    /// tokens, host revocations and the service.</summary>
    static void AddEnrollment(IServiceCollection services, IKeyValueStore store, TimeProvider time)
    {
        services.AddSingleton(new ClusterCaStore(store, time));
        services.AddSingleton(new JoinTokenStore(store, time));
        services.AddSingleton(new HostRevocations(store));
        services.AddSingleton(sp => new EnrollmentService(store, sp.GetRequiredService<ClusterCaStore>(), sp.GetRequiredService<JoinTokenStore>(),
            sp.GetRequiredService<HostRevocations>(), time));
    }

    /// <summary>The audit trail: the interceptor that records mutating calls (added after GrpcServer.Add's
    /// authentication; it reads the principal once the call ends, so the order is not load-bearing), the
    /// list service and the hourly retention job.</summary>
    static void AddAudit(IServiceCollection services, IKeyValueStore store, ApiOptions options, TimeProvider time)
    {
        services.AddSingleton(new AuditTrail(store));
        services.AddSingleton(sp => new AuditInterceptor(sp.GetRequiredService<AuditTrail>(), time, sp.GetRequiredService<ILogger<AuditInterceptor>>()));
        services.Configure<GrpcServiceOptions>(o => o.Interceptors.Add<AuditInterceptor>());
        services.AddSingleton<AuditService>();
        services.AddSingleton(sp => new AuditRetention(sp.GetRequiredService<AuditTrail>(), options.EffectiveAuditRetention, time, sp.GetRequiredService<ILogger<AuditRetention>>()));
        services.AddHostedService(sp => sp.GetRequiredService<AuditRetention>());
    }
}
