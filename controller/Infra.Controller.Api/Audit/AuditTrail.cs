using System.Security.Cryptography;
using Google.Protobuf;
using Infra.Controller.Api.Plumbing;
using Infra.Controller.Domain.Audit;
using Infra.Controller.Domain.Commands;
using Infra.Controller.Model.Store;
using Infra.Store;
using Infra.V1;

namespace Infra.Controller.Api.Audit;

/// <summary>
/// The audit records in the store (<see cref="StoreLayout.AuditRoot"/>): one Put per record, keyed by
/// time so that a time window is a key range, paging resumes after the last id and retention is one
/// DeleteRange below a cutoff. Records are never updated.
/// </summary>
public sealed class AuditTrail(IKeyValueStore kv)
{
    const int Batch = 256;

    long _lastTicks;

    /// <summary>"&lt;UTC ticks, 19 digits&gt;-&lt;16 hex&gt;": time order, and unique across replicas writing in the same
    /// tick. Within this process the ticks only grow (a record in the same tick as the last, or behind it, takes
    /// the next tick), so records of one replica list in the order they were made even on a coarse or fake clock.</summary>
    public string NewId(DateTimeOffset time)
    {
        long last, ticks;
        do
        {
            last = Interlocked.Read(ref _lastTicks);
            ticks = Math.Max(time.UtcTicks, last + 1);
        }
        while (Interlocked.CompareExchange(ref _lastTicks, ticks, last) != last);
        return StoreLayout.AuditTicks(new DateTimeOffset(ticks, TimeSpan.Zero)) + "-" + RandomNumberGenerator.GetHexString(16, lowercase: true);
    }

    public async Task WriteAsync(AuditRecord record, CancellationToken ct) =>
        await kv.PutAsync(new PutRequest(Keys.Of(StoreLayout.AuditRecord(record.Id)), record.ToByteArray()), ct).ConfigureAwait(false);

    /// <summary>Records oldest first within [since, until), filtered; the page token is the last id returned.</summary>
    public async Task<(List<AuditRecord> Records, PageResponse Page)> ListAsync(ListAuditRecords q, CancellationToken ct)
    {
        var start = Keys.Of(q.Since is { } since ? StoreLayout.AuditAt(since) : StoreLayout.AuditRoot);
        if (Paging.Decode(q.Page.Token) is { } after)
        {
            var resume = Keys.Of(StoreLayout.AuditRecord(after) + "\0");
            if (Compare(resume, start) > 0) start = resume;
        }
        // Keys of a record at exactly `until` ("<ticks>-…") sort after "<ticks>", so the end is exclusive.
        var end = q.Until is { } until ? Keys.Of(StoreLayout.AuditAt(until)) : Keys.PrefixEnd(StoreLayout.AuditRoot);
        var records = new List<AuditRecord>();
        var more = false;
        while (Compare(start, end) < 0)
        {
            var r = await kv.RangeAsync(new RangeRequest(start, end, Batch), ct).ConfigureAwait(false);
            foreach (var row in r.Kvs)
            {
                AuditRecord record;
                try { record = AuditRecord.Parser.ParseFrom(row.Value); }
                catch (InvalidProtocolBufferException) { continue; }
                if (!Matches(q, record)) continue;
                if (records.Count == q.Page.Size) { more = true; break; }
                records.Add(record);
            }
            if (more || !r.More || r.Kvs.Count == 0) break;
            start = [.. r.Kvs[^1].Key, 0];
        }
        var page = new PageResponse();
        if (more) page.NextPageToken = Paging.Encode(records[^1].Id);
        return (records, page);
    }

    /// <summary>Deletes every record older than <paramref name="cutoff"/>; returns how many went.</summary>
    public async Task<long> DeleteBeforeAsync(DateTimeOffset cutoff, CancellationToken ct)
    {
        var r = await kv.DeleteRangeAsync(new DeleteRangeRequest(Keys.Of(StoreLayout.AuditRoot), Keys.Of(StoreLayout.AuditAt(cutoff))), ct).ConfigureAwait(false);
        return r.Deleted;
    }

    static bool Matches(ListAuditRecords q, AuditRecord r) =>
        (q.Principal is null || r.Principal == q.Principal)
        && (q.Method is null || r.Method.Contains(q.Method, StringComparison.OrdinalIgnoreCase))
        && (q.ObjectId is null || r.ObjectIds.Contains(q.ObjectId))
        && AuditOutcome.Matches(q.Outcome, r.Outcome);

    static int Compare(byte[] a, byte[] b) => a.AsSpan().SequenceCompareTo(b);
}
