using Grpc.Core;
using Grpc.Core.Interceptors;
using Infra.Controller.Api.Plumbing;
using Infra.Controller.Domain.Auth;
using Infra.V1;

namespace Infra.Controller.Api.Tests.Support;

/// <summary>
/// TEST ONLY: until API credentials exist (the credentials work, which makes tenant principals from
/// bearer tokens), nothing on the wire yields a tenant, host or replica principal. This interceptor,
/// which only the test harness registers (<c>ApiServer.StartAsync(testPrincipals: true)</c>) between the
/// daemon's authentication and the API's authorization, replaces the call's principal with the one the
/// <see cref="Header"/> names. Shipped code never reads this header. Once credentials land, swap the
/// header for real tenant credentials (<see cref="ApiServer.As"/> is the one place to change) and drop this.
/// </summary>
public sealed class TestPrincipalInterceptor : Interceptor
{
    public const string Header = "x-test-principal";

    /// <summary>"admin", "tenant:ten-1", "tenant:ten-1:reader", "host:h1", "replica:c2".</summary>
    public static string Format(Principal p) => p.Kind switch
    {
        PrincipalKind.Admin => "admin",
        PrincipalKind.Tenant => $"tenant:{p.Id}" + (p.Role == TenantRole.Reader ? ":reader" : ""),
        PrincipalKind.Host => $"host:{p.Id}",
        _ => $"replica:{p.Id}",
    };

    static Principal Parse(string text)
    {
        var parts = text.Split(':');
        return parts[0] switch
        {
            "admin" => Principal.Admin("test"),
            "tenant" => Principal.Tenant(parts[1], parts.Length > 2 && parts[2] == "reader" ? TenantRole.Reader : TenantRole.Member, "test"),
            "host" => Principal.Host(parts[1], "test"),
            "replica" => Principal.Replica(parts[1], "test"),
            _ => throw new RpcException(new Status(StatusCode.InvalidArgument, $"bad {Header}: {text}")),
        };
    }

    void Apply(ServerCallContext context)
    {
        if (context.RequestHeaders.GetValue(Header) is { } text) CallPrincipal.Set(context, Parse(text));
    }

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Apply(context);
        return continuation(request, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context,
        ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Apply(context);
        return continuation(requestStream, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Apply(context);
        return continuation(request, responseStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Apply(context);
        return continuation(requestStream, responseStream, context);
    }
}

/// <summary>The generated clients, calling as one principal (see <see cref="TestPrincipalInterceptor"/>).</summary>
public sealed class Caller(CallInvoker invoker)
{
    public CallInvoker Invoker => invoker;
    public Tenants.TenantsClient Tenants => new(invoker);
    public Networks.NetworksClient Networks => new(invoker);
    public Policies.PoliciesClient Policies => new(invoker);
    public Ports.PortsClient Ports => new(invoker);
    public Instances.InstancesClient Instances => new(invoker);
    public Volumes.VolumesClient Volumes => new(invoker);
    public Images.ImagesClient Images => new(invoker);
    public Hosts.HostsClient Hosts => new(invoker);
    public Changes.ChangesClient Changes => new(invoker);
    public KeyPairs.KeyPairsClient KeyPairs => new(invoker);
    public Infra.V1.Credentials.CredentialsClient Credentials => new(invoker);
    public AgentSession.AgentSessionClient AgentSession => new(invoker);
    public CommandRelay.CommandRelayClient CommandRelay => new(invoker);
}
