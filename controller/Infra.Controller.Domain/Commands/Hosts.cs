using Infra.Controller.Domain.Model;

namespace Infra.Controller.Domain.Commands;

/// <summary>How far a host may be oversold: MHz and MiB sold per physical unit, and memory kept for the host.</summary>
public sealed record OvercommitSpec(double CpuRatio, double MemoryRatio, long MemoryReserveMib);

public sealed record ListHosts(Page Page, HostState? State);
public sealed record GetHost(string Id);
public sealed record CordonHost(string Id, string Reason);
public sealed record DrainHost(string Id, bool DryRun);
public sealed record UncordonHost(string Id);
public sealed record UpdateHost(string Id, OvercommitSpec? Overcommit, Labels? Labels);
