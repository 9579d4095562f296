using Wire = Infra.V1;

namespace Infra.Controller.Domain.Model;

/// <summary>
/// Conversions between domain enums and the wire's, for handlers that read stored wire objects into
/// the lifecycle and write results back. The wire's UNSPECIFIED has no domain value: FromWire returns
/// null for it so the caller decides (a stored instance without a state is a broken invariant).
/// </summary>
public static class WireMapping
{
    public static InstanceState? FromWire(Wire.InstanceState state) =>
        state is > Wire.InstanceState.Unspecified and <= Wire.InstanceState.Deleting ? (InstanceState)((int)state - 1) : null;

    public static Wire.InstanceState ToWire(InstanceState state) => (Wire.InstanceState)((int)state + 1);

    /// <summary>Desired power state as stored in Instance.desired_state (RUNNING, STOPPED or PAUSED).</summary>
    public static PowerState? PowerFromWire(Wire.InstanceState desired) => desired switch
    {
        Wire.InstanceState.Running => PowerState.Running,
        Wire.InstanceState.Stopped => PowerState.Stopped,
        Wire.InstanceState.Paused => PowerState.Paused,
        _ => null,
    };

    public static Wire.InstanceState ToWire(PowerState power) => power switch
    {
        PowerState.Running => Wire.InstanceState.Running,
        PowerState.Stopped => Wire.InstanceState.Stopped,
        PowerState.Paused => Wire.InstanceState.Paused,
        _ => throw new ArgumentOutOfRangeException(nameof(power), power, "unknown power state"),
    };

    /// <summary>
    /// A stored instance as the lifecycle sees it. A state or desired state the store lacks reads as
    /// PENDING / RUNNING, the values CreateInstance starts from.
    /// </summary>
    public static Lifecycle.InstanceStatus Status(Wire.Instance i, long rebootGeneration) =>
        new(FromWire(i.State) ?? InstanceState.Pending, PowerFromWire(i.DesiredState) ?? PowerState.Running, rebootGeneration, i.HostId.Length > 0);

    public static Wire.IpVersion ToWire(IpVersion? version) => version switch
    {
        IpVersion.V4 => Wire.IpVersion._4,
        IpVersion.V6 => Wire.IpVersion._6,
        _ => Wire.IpVersion.Unspecified,
    };

    public static Wire.HostState ToWire(HostState state) => (Wire.HostState)((int)state + 1);

    public static HostState? FromWire(Wire.HostState state) =>
        state is > Wire.HostState.Unspecified and <= Wire.HostState.Maintenance ? (HostState)((int)state - 1) : null;

    public static Wire.DiskFormat ToWire(DiskFormat? format) => format switch
    {
        DiskFormat.Raw => Wire.DiskFormat.Raw,
        DiskFormat.Qcow2 => Wire.DiskFormat.Qcow2,
        _ => Wire.DiskFormat.Unspecified,
    };
}
