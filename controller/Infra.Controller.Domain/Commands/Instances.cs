using System.Collections.Immutable;
using Infra.Controller.Domain.Model;

namespace Infra.Controller.Domain.Commands;

/// <summary>Where the boot volume comes from.</summary>
public abstract record BootSource(bool DeleteOnTermination)
{
    /// <summary>Clone an image; SizeBytes null means the image's virtual size.</summary>
    public sealed record FromImage(string ImageId, ulong? SizeBytes, bool DeleteOnTermination) : BootSource(DeleteOnTermination);
    /// <summary>Boot from an existing, unattached volume.</summary>
    public sealed record FromVolume(string VolumeId, bool DeleteOnTermination) : BootSource(DeleteOnTermination);
}

/// <summary>A NIC of a new instance.</summary>
public abstract record NicSpec
{
    public sealed record ExistingPort(string PortId) : NicSpec;
    public sealed record NewPort(string NetworkId, ImmutableArray<string> PolicyIds, ImmutableArray<FixedIpSpec> FixedIps) : NicSpec;
}

/// <summary>CPU and memory of an instance: vCPU threads, total MHz (independent of vcpus), memory.</summary>
public sealed record InstanceSize(int Vcpus, int CpuMhz, long MemoryMib)
{
    public long MemoryBytes => MemoryMib * 1024 * 1024;
}

public sealed record CreateInstance(string? RequestId, string TenantId, string Name, InstanceSize Size,
    BootSource Boot, ImmutableArray<string> VolumeIds, ImmutableArray<NicSpec> Nics,
    string? AffinityGroup, string? AntiAffinityGroup, bool Start, Labels Labels)
{
    /// <summary>What the config drive carries: user-data (empty when none), key pairs, the hostname (null: the name).</summary>
    public GuestConfig Guest { get; init; } = GuestConfig.None;
}

/// <summary>The guest's own configuration from CreateInstance, delivered on the config drive.</summary>
public sealed record GuestConfig(ReadOnlyMemory<byte> UserData, ImmutableArray<string> SshKeyIds, string? Hostname)
{
    public static GuestConfig None { get; } = new(ReadOnlyMemory<byte>.Empty, [], null);
}
public sealed record GetInstance(string Id);
public sealed record ListInstances(string? TenantId, string? HostId, Page Page);
public sealed record StartInstance(string Id);
public sealed record StopInstance(string Id, bool Force, TimeSpan Timeout);
public sealed record RebootInstance(string Id, bool Force);
public sealed record PauseInstance(string Id);
public sealed record ResumeInstance(string Id);
/// <summary>Null members stay unchanged; at least one is set.</summary>
public sealed record ResizeInstance(string Id, int? CpuMhz, int? Vcpus, long? MemoryMib)
{
    /// <summary>Whether the resize needs the instance stopped (vcpus and memory cannot change live).</summary>
    public bool NeedsStop => Vcpus is not null || MemoryMib is not null;
}
public sealed record AttachVolume(string Id, string VolumeId);
public sealed record DetachVolume(string Id, string VolumeId);
public sealed record SnapshotInstance(string Id, string NamePrefix, bool RequireQuiesce, string? RequestId);
public sealed record DeleteInstance(string Id, bool DeleteBootVolume);
