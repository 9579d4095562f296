using Google.Protobuf.Reflection;

namespace Infra.Grpc.Server;

/// <summary>The services mapped on this server, for reflection and UNIMPLEMENTED messages.</summary>
public sealed class GrpcServiceRegistry
{
    readonly object _gate = new();
    readonly List<ServiceDescriptor> _services = new();
    bool _fallbackMapped;

    public IReadOnlyList<ServiceDescriptor> Services { get { lock (_gate) return _services.ToArray(); } }

    internal void Add(ServiceDescriptor service)
    {
        lock (_gate) if (!_services.Any(s => s.FullName == service.FullName)) _services.Add(service);
    }

    public bool Contains(string serviceName) { lock (_gate) return _services.Any(s => s.FullName == serviceName); }

    internal bool TryMarkFallbackMapped()
    {
        lock (_gate) { if (_fallbackMapped) return false; _fallbackMapped = true; return true; }
    }
}
