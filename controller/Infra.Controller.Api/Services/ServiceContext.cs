using Infra.Controller.Model.Store;
using Infra.Controller.Core.Ipam;
using Infra.Controller.Core.Placement;
using Infra.Store;

namespace Infra.Controller.Api.Services;

/// <summary>Options of the northbound API that come from the daemon's config.</summary>
public sealed record ApiOptions(
    string ImageDirectory = "/var/lib/infra/images",
    PlacementPolicy? Placement = null,
    TimeSpan WatchBookmarkInterval = default,
    TimeSpan SnapshotTimeout = default,
    uint ExportWindow = 0,
    TimeSpan AuditRetention = default)
{
    /// <summary>Audit records older than this are deleted (daemon audit_retention_days, default 90).</summary>
    public TimeSpan EffectiveAuditRetention => AuditRetention == default ? TimeSpan.FromDays(90) : AuditRetention;

    /// <summary>Snapshot and snapshot-delete commands end DEADLINE_EXCEEDED after this (or the caller's earlier deadline).</summary>
    public TimeSpan EffectiveSnapshotTimeout => SnapshotTimeout == default ? TimeSpan.FromMinutes(2) : SnapshotTimeout;
    public PlacementPolicy EffectivePlacement => Placement ?? new PlacementPolicy();
    public TimeSpan EffectiveBookmarkInterval => WatchBookmarkInterval == default ? TimeSpan.FromSeconds(30) : WatchBookmarkInterval;
}

/// <summary>What every service shares: the typed store, IPAM, placement claims, the clock and options.
/// One instance per daemon (the claim store keeps an incremental view that must be shared).</summary>
public sealed class ApiContext
{
    public ApiContext(IKeyValueStore kv, ApiOptions options, TimeProvider? time = null)
    {
        Time = time ?? TimeProvider.System;
        Options = options;
        Store = new ObjectStore(kv, Time);
        Ipam = new IpamAllocator(kv, root: StoreLayout.IpamRoot);
        Claims = new ClaimStore(kv, options.EffectivePlacement, StoreLayout.ClaimsRoot);
        Ports = new PortBuilder(this);
    }

    public ObjectStore Store { get; }
    public IpamAllocator Ipam { get; }
    public ClaimStore Claims { get; }
    public PortBuilder Ports { get; }
    public TimeProvider Time { get; }
    public ApiOptions Options { get; }
}
