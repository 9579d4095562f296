using System.Threading.Channels;
using Infra.Controller.Api.Plumbing;
using Infra.Controller.Model.Store;
using Infra.Controller.Api.Services;
using Infra.Controller.Domain.Validation;
using Grpc.Core;
using Infra.Store;
using Infra.V1;
using WireEvent = Infra.V1.WatchEvent;
using EventType = Infra.V1.EventType;

namespace Infra.Controller.Api.Watch;

/// <summary>
/// Changes.Watch over the store's watch. start_revision 0 sends the current state as CREATED events
/// (all at one snapshot revision), a BOOKMARK at that revision, then every change after it; any other
/// start_revision resumes strictly after it, so a client that reconnects with the last revision it saw
/// gets no gaps and no repeats. While nothing matching changes, a BOOKMARK carries the store revision
/// forward every bookmark interval. History compacted away answers OUT_OF_RANGE: re-list, then watch
/// from the list's revision.
/// </summary>
public sealed class ChangesService(ApiContext api) : Changes.ChangesBase
{
    public override async Task Watch(Infra.V1.WatchRequest request, IServerStreamWriter<WireEvent> responseStream, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var cmd = ApiErrors.Valid(WatchValidation.Validate(request));
        var kinds = cmd.Kinds.Select(k => (ResourceKind)((int)k + 1)).ToHashSet();
        // A tenant principal watches its own tenant (and public images) whatever it asked; another tenant is NOT_FOUND.
        var mapper = new WatchEventMapper(kinds, TenantScope.Of(context).Tenant(cmd.TenantId));
        var kv = api.Store.Kv;
        long last;
        if (cmd.StartRevision == 0)
        {
            var snapshot = await kv.RangeAsync(Infra.Store.RangeRequest.Prefix(StoreLayout.Root, limit: 1), ct);
            last = snapshot.Header.Revision;
            foreach (var segment in Kinds.BySegment.Keys.OrderBy(s => s, StringComparer.Ordinal))
            {
                var r = await kv.RangeAsync(Infra.Store.RangeRequest.Prefix($"{StoreLayout.Root}{segment}/", revision: last), ct);
                foreach (var item in r.Kvs)
                    if (mapper.Map(item, EventType.Created, last) is { } ev) await responseStream.WriteAsync(ev, ct);
            }
            await responseStream.WriteAsync(new WireEvent { Revision = last, Type = EventType.Bookmark }, ct);
        }
        else last = cmd.StartRevision;

        var channel = Channel.CreateBounded<Infra.Store.WatchResponse>(new BoundedChannelOptions(64) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var pump = PumpAsync(kv, last + 1, channel.Writer, stop.Token);
        try
        {
            var interval = api.Options.EffectiveBookmarkInterval;
            Task<bool>? next = null;
            while (true)
            {
                next ??= channel.Reader.WaitToReadAsync(stop.Token).AsTask();
                using (var tickStop = CancellationTokenSource.CreateLinkedTokenSource(stop.Token))
                {
                    var tick = Task.Delay(interval, api.Time, tickStop.Token);
                    if (await Task.WhenAny(next, tick) == tick)
                    {
                        await responseStream.WriteAsync(new WireEvent { Revision = last, Type = EventType.Bookmark }, ct);
                        continue;
                    }
                    tickStop.Cancel();
                }
                var more = await next;
                next = null;
                if (!more) break;
                while (channel.Reader.TryRead(out var batch))
                {
                    foreach (var e in batch.Events)
                        if (mapper.Map(e) is { } ev) await responseStream.WriteAsync(ev, ct);
                    last = Math.Max(last, batch.Header.Revision);
                }
            }
        }
        catch (CompactedException e)
        {
            throw new RpcException(new Status(StatusCode.OutOfRange,
                $"revision {last + 1} is compacted (oldest kept: {e.CompactRevision}); list the objects again and watch from the revision of that list, or from 0 for a fresh snapshot"));
        }
        catch (FutureRevisionException e)
        {
            throw new RpcException(new Status(StatusCode.OutOfRange, $"start_revision is ahead of the store: {e.Message}; watch from a revision you have seen, or 0"));
        }
        finally
        {
            stop.Cancel();
            try { await pump; } catch { /* its error was already delivered through the channel */ }
        }
    }

    static async Task PumpAsync(IKeyValueStore kv, long from, ChannelWriter<Infra.Store.WatchResponse> writer, CancellationToken ct)
    {
        try
        {
            await foreach (var r in kv.WatchAsync(Infra.Store.WatchRequest.Prefix(StoreLayout.Root, from, prevKv: true), ct))
                await writer.WriteAsync(r, ct);
            writer.TryComplete();
        }
        catch (Exception e)
        {
            writer.TryComplete(e);
        }
    }
}
