using System.Collections.Immutable;
using Infra.Controller.Domain.Commands;
using Infra.Controller.Domain.Errors;
using Infra.Controller.Domain.Model;
using Infra.V1;
using BootSource = Infra.Controller.Domain.Commands.BootSource;

namespace Infra.Controller.Domain.Validation;

/// <summary>Parses CreateInstance, GetInstance and ListInstances (actions: <see cref="InstanceActionValidation"/>).</summary>
public static class InstanceValidation
{
    public const int MaxVolumes = 24;
    public const int MaxNics = 16;
    public const ulong MaxBootGib = VolumeValidation.MaxSizeGib;
    /// <summary>cloud-init's user-data limit on most clouds (EC2, OpenStack): 64 KiB.</summary>
    public const int MaxUserDataBytes = 64 * 1024;
    public const int MaxSshKeys = 16;

    public static ValidationResult<CreateInstance> Validate(CreateInstanceRequest r)
    {
        var v = new Violations();
        var requestId = v.RequestId("request_id", r.RequestId);
        var tenant = v.Id("tenant_id", r.TenantId, IdKind.Tenant);
        var name = v.Name("name", r.Name);
        var size = SizingValidation.Size(v, r.Vcpus, r.CpuMhz, r.MemoryMib);
        var boot = Boot(v, "boot", r.Boot);
        var volumes = Volumes(v, "volume_ids", r.VolumeIds, (boot as BootSource.FromVolume)?.VolumeId);
        var nics = Nics(v, "ports", r.Ports);
        var affinity = v.Name("affinity_group", r.AffinityGroup, required: false);
        var anti = v.Name("anti_affinity_group", r.AntiAffinityGroup, required: false);
        if (affinity.Length > 0 && affinity == anti)
            v.Add("anti_affinity_group", $"\"{anti}\" is also the affinity group; an instance cannot be placed both with and apart from the same group");
        var labels = v.Labels("labels", r.Labels);
        var guest = Guest(v, r);
        return v.Finish(() => new CreateInstance(requestId, tenant!, name, size, boot!, volumes, nics,
            affinity.Length == 0 ? null : affinity, anti.Length == 0 ? null : anti, r.HasStart ? r.Start : true, labels) { Guest = guest });
    }

    /// <summary>user_data, ssh_key_ids and hostname: what the config drive carries.</summary>
    static GuestConfig Guest(Violations v, CreateInstanceRequest r)
    {
        if (r.UserData.Length > MaxUserDataBytes)
            v.Add("user_data", $"is {r.UserData.Length} bytes; user-data may be at most {MaxUserDataBytes} bytes (64 KiB). Fetch larger payloads from the guest (a #! script that downloads them) instead");
        if (r.SshKeyIds.Count > MaxSshKeys) v.Add("ssh_key_ids", $"has {r.SshKeyIds.Count} key pairs; at most {MaxSshKeys} can be given");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < r.SshKeyIds.Count; i++)
        {
            var path = Violations.Index("ssh_key_ids", i);
            if (v.Id(path, r.SshKeyIds[i], IdKind.KeyPair) is { } id && !seen.Add(id))
                v.Add(path, $"{id} is listed twice");
        }
        // A hostname is one RFC 1123 label: the same rule as names (lower case; DNS is case-insensitive).
        var hostname = v.Name("hostname", r.Hostname, required: false);
        return new GuestConfig(r.UserData.Memory, [.. r.SshKeyIds], hostname.Length == 0 ? null : hostname);
    }

    static BootSource? Boot(Violations v, string field, Infra.V1.BootSource? boot)
    {
        if (boot is null || boot.SourceCase == Infra.V1.BootSource.SourceOneofCase.None)
        {
            v.Add(field, "is required: set boot.image_id to clone an image, or boot.volume_id to boot an existing volume");
            return null;
        }
        if (boot.SizeGib > MaxBootGib)
            v.Add(Violations.Path(field, "size_gib"), $"must be at most {MaxBootGib} GiB; got {boot.SizeGib}");
        if (boot.SourceCase == Infra.V1.BootSource.SourceOneofCase.ImageId)
        {
            var image = v.Id(Violations.Path(field, "image_id"), boot.ImageId, IdKind.Image);
            return image is null ? null : new BootSource.FromImage(image, boot.SizeGib == 0 ? null : boot.SizeGib * VolumeValidation.Gib, boot.DeleteOnTermination);
        }
        if (boot.SizeGib != 0)
            v.Add(Violations.Path(field, "size_gib"), "applies only to a new volume cloned from an image; grow an existing volume with ResizeVolume first, and set size_gib to 0");
        var volume = v.Id(Violations.Path(field, "volume_id"), boot.VolumeId, IdKind.Volume);
        return volume is null ? null : new BootSource.FromVolume(volume, boot.DeleteOnTermination);
    }

    static ImmutableArray<string> Volumes(Violations v, string field, IList<string> ids, string? bootVolume)
    {
        if (ids.Count > MaxVolumes) v.Add(field, $"has {ids.Count} volumes; at most {MaxVolumes} can be attached");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < ids.Count; i++)
        {
            var path = Violations.Index(field, i);
            if (v.Id(path, ids[i], IdKind.Volume) is null) continue;
            if (ids[i] == bootVolume) v.Add(path, $"{ids[i]} is already the boot volume; list only further volumes here");
            else if (!seen.Add(ids[i])) v.Add(path, $"{ids[i]} is listed twice; a volume attaches once");
        }
        return [.. ids];
    }

    static ImmutableArray<NicSpec> Nics(Violations v, string field, IList<PortSpec> specs)
    {
        if (specs.Count > MaxNics) v.Add(field, $"has {specs.Count} NICs; an instance may have at most {MaxNics}");
        var result = ImmutableArray.CreateBuilder<NicSpec>();
        var ports = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < specs.Count; i++)
        {
            var path = Violations.Index(field, i);
            var s = specs[i];
            if ((s.PortId.Length > 0) == (s.NetworkId.Length > 0))
            {
                v.Add(path, "set exactly one of port_id (use an existing port) or network_id (create a port on that network)");
                continue;
            }
            if (s.PortId.Length > 0)
            {
                if (s.PolicyIds.Count > 0 || s.FixedIps.Count > 0)
                    v.Add(path, "policy_ids and fixed_ips apply only to a new port; change an existing port with UpdatePort");
                if (v.Id(Violations.Path(path, "port_id"), s.PortId, IdKind.Port) is { } port)
                {
                    if (!ports.Add(port)) v.Add(Violations.Path(path, "port_id"), $"{port} is listed twice; a port belongs to one NIC");
                    result.Add(new NicSpec.ExistingPort(port));
                }
                continue;
            }
            var network = v.Id(Violations.Path(path, "network_id"), s.NetworkId, IdKind.Network);
            var policies = FixedIpValidation.PolicyIds(v, Violations.Path(path, "policy_ids"), s.PolicyIds);
            var fixedIps = FixedIpValidation.FixedIps(v, Violations.Path(path, "fixed_ips"), s.FixedIps);
            if (network is not null) result.Add(new NicSpec.NewPort(network, policies, fixedIps));
        }
        return result.ToImmutable();
    }

    public static ValidationResult<GetInstance> Validate(GetInstanceRequest r)
    {
        var v = new Violations();
        var id = v.Id("id", r.Id, IdKind.Instance);
        return v.Finish(() => new GetInstance(id!));
    }

    public static ValidationResult<ListInstances> Validate(ListInstancesRequest r)
    {
        var v = new Violations();
        var tenant = v.Id("tenant_id", r.TenantId, IdKind.Tenant, required: false);
        var host = v.HostId("host_id", r.HostId, required: false);
        var page = v.Page("page", r.Page);
        return v.Finish(() => new ListInstances(tenant, host, page));
    }
}
