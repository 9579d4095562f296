using Grpc.Core;
using Infra.V1;

namespace Infra.Ctl.Transport;

/// <summary>
/// The one seam between commands and the wire: the generated Grpc.Tools clients of every northbound
/// service over one CallInvoker (a GrpcChannel's, in production and in the over-the-wire tests).
/// </summary>
public sealed class ControllerClients(CallInvoker invoker)
{
    public Tenants.TenantsClient Tenants { get; } = new(invoker);
    public Networks.NetworksClient Networks { get; } = new(invoker);
    public Policies.PoliciesClient Policies { get; } = new(invoker);
    public Ports.PortsClient Ports { get; } = new(invoker);
    public Instances.InstancesClient Instances { get; } = new(invoker);
    public Volumes.VolumesClient Volumes { get; } = new(invoker);
    public Images.ImagesClient Images { get; } = new(invoker);
    public Hosts.HostsClient Hosts { get; } = new(invoker);
    public KeyPairs.KeyPairsClient KeyPairs { get; } = new(invoker);
    public Changes.ChangesClient Changes { get; } = new(invoker);
    public Audit.AuditClient Audit { get; } = new(invoker);
    public Infra.V1.Credentials.CredentialsClient Credentials { get; } = new(invoker);
    public Enrollment.EnrollmentClient Enrollment { get; } = new(invoker);
}
