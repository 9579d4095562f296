using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Infra.Qmp.Codec;

namespace Infra.Qmp;

public sealed partial class QmpClient
{
    private readonly List<Subscription> _subscribers = new();

    /// <summary>
    /// Starts receiving events (optionally only those whose name passes the filter). Subscribe before
    /// issuing the command whose events you await, so none is missed. The reader completes when the
    /// connection closes; dispose the subscription to stop receiving.
    /// </summary>
    public QmpEventSubscription Subscribe(Func<string, bool>? filter = null)
    {
        var channel = Channel.CreateBounded<QmpEvent>(new BoundedChannelOptions(_options.EventBufferPerSubscriber)
        { FullMode = BoundedChannelFullMode.DropOldest, SingleWriter = true });
        var sub = new Subscription(this, channel, filter);
        lock (_subscribers)
        {
            if (_closed.Task.IsCompleted) channel.Writer.TryComplete();
            else _subscribers.Add(sub);
        }
        return sub;
    }

    /// <summary>All events from now until the connection closes or the token fires.</summary>
    public async IAsyncEnumerable<QmpEvent> Events([EnumeratorCancellation] CancellationToken ct = default)
    {
        using var sub = Subscribe();
        await foreach (var e in sub.Reader.ReadAllAsync(ct).ConfigureAwait(false)) yield return e;
    }

    private void Publish(QmpEvent e)
    {
        lock (_subscribers)
            foreach (var s in _subscribers)
                if (s.Filter is null || s.Filter(e.Name)) s.Channel.Writer.TryWrite(e);
    }

    private void CompleteSubscribers()
    {
        lock (_subscribers)
        {
            foreach (var s in _subscribers) s.Channel.Writer.TryComplete();
            _subscribers.Clear();
        }
    }

    private void Unsubscribe(Subscription s)
    {
        lock (_subscribers) _subscribers.Remove(s);
        s.Channel.Writer.TryComplete();
    }

    private sealed class Subscription(QmpClient owner, Channel<QmpEvent> channel, Func<string, bool>? filter)
        : QmpEventSubscription(channel.Reader)
    {
        public Channel<QmpEvent> Channel { get; } = channel;
        public Func<string, bool>? Filter { get; } = filter;
        public override void Dispose() => owner.Unsubscribe(this);
    }
}

/// <summary>A stream of events from one connection.</summary>
public abstract class QmpEventSubscription(ChannelReader<QmpEvent> reader) : IDisposable
{
    public ChannelReader<QmpEvent> Reader { get; } = reader;

    /// <summary>Waits for the next event with the given name, skipping others; fails if the connection closes.</summary>
    public async Task<QmpEvent> WaitForAsync(string name, TimeSpan timeout, CancellationToken ct = default,
        Func<QmpEvent, bool>? match = null)
    {
        using var timer = new CancellationTokenSource(timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timer.Token);
        try
        {
            while (await Reader.WaitToReadAsync(linked.Token).ConfigureAwait(false))
                while (Reader.TryRead(out var e))
                    if (e.Name == name && (match is null || match(e))) return e;
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new QmpTimeoutException($"wait for event {name}", timeout);
        }
        throw new QmpConnectionClosedException($"connection closed while waiting for event {name}");
    }

    public abstract void Dispose();
}
