using System.Threading.Channels;
using Infra.Grpc.Health.V1;
using ServingStatus = Infra.Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Infra.Grpc.Health;

/// <summary>
/// The application's view of its own health, per service name ("" = the whole server, SERVING from
/// the start). The app calls SetStatus; Check reads it, Watch streams every change.
/// </summary>
public sealed class HealthStatusManager
{
    readonly object _gate = new();
    readonly Dictionary<string, ServingStatus> _statuses = new() { [""] = ServingStatus.Serving };
    readonly List<(string Service, Channel<ServingStatus> Channel)> _watchers = new();

    public void SetStatus(string service, ServingStatus status)
    {
        lock (_gate)
        {
            _statuses[service] = status;
            foreach (var w in _watchers) if (w.Service == service) w.Channel.Writer.TryWrite(status);
        }
    }

    /// <summary>Forgets a service: Check answers NOT_FOUND, Watch sends SERVICE_UNKNOWN.</summary>
    public void ClearStatus(string service)
    {
        lock (_gate)
        {
            _statuses.Remove(service);
            foreach (var w in _watchers) if (w.Service == service) w.Channel.Writer.TryWrite(ServingStatus.ServiceUnknown);
        }
    }

    public bool TryGetStatus(string service, out ServingStatus status)
    {
        lock (_gate) return _statuses.TryGetValue(service, out status);
    }

    /// <summary>A reader that first yields the current status, then each change; dispose to stop.</summary>
    internal Subscription Subscribe(string service)
    {
        // Latest value wins: a slow watcher sees the current status, not a backlog.
        var channel = Channel.CreateBounded<ServingStatus>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (_gate)
        {
            channel.Writer.TryWrite(_statuses.TryGetValue(service, out var s) ? s : ServingStatus.ServiceUnknown);
            _watchers.Add((service, channel));
        }
        return new Subscription(this, service, channel);
    }

    internal sealed class Subscription(HealthStatusManager owner, string service, Channel<ServingStatus> channel) : IDisposable
    {
        public ChannelReader<ServingStatus> Reader => channel.Reader;

        public void Dispose()
        {
            lock (owner._gate) owner._watchers.Remove((service, channel));
        }
    }
}
