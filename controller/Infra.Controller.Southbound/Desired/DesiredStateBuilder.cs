using Infra.Controller.Southbound.Cluster;
using Infra.Controller.Southbound.Guest;
using Infra.Flows;
using Infra.V1;

namespace Infra.Controller.Southbound.Desired;

/// <summary>The resources one host should have, and what was left out and why.</summary>
public sealed record DesiredBuild(HostResources Resources, IReadOnlyList<string> Problems);

/// <summary>
/// A pure function from a cluster snapshot and a host id to that host's complete desired resources:
/// a VmSpec per instance placed there (and a tombstone VmSpec per instance deleted or moved from there
/// whose removal the agent has not reported yet), a VolumeSpec per volume it serves (local to it, or used by its
/// VMs), a PortBinding per NIC of its VMs, a TunnelPeer per other host holding a port of a tenant
/// present here, and the compiled flows grouped by cookie. The previous resources (what the host was
/// last sent) only keep ofports sticky; everything else is recomputed from scratch, which is what
/// makes the result correct whatever changed (the delta planner then sends only differences).
/// Throws <see cref="FlowCompilationException"/> when the compiler rejects the host's inputs.
/// </summary>
public static class DesiredStateBuilder
{
    public static DesiredBuild Build(ClusterSnapshot s, string hostId, HostResources? previous = null, uint shutdownTimeoutSeconds = 60)
    {
        var problems = new List<string>();
        var result = new HostResources();
        var instances = s.Instances.Values
            .Where(i => i.HostId == hostId && i.State != InstanceState.Deleting)
            .OrderBy(i => i.Meta.Id, StringComparer.Ordinal).ToList();

        var volumeIds = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var v in s.Volumes.Values)
            if (v.HostId == hostId || (v.AttachedInstanceId.Length > 0 && instances.Any(i => i.Meta.Id == v.AttachedInstanceId)))
                volumeIds.Add(v.Meta.Id);

        var localPorts = new List<Port>();
        var owner = new Dictionary<string, string>(StringComparer.Ordinal);
        var guests = new Dictionary<string, GuestAddress>(StringComparer.Ordinal);
        foreach (var i in instances)
        {
            var disks = VmDisks(i);
            foreach (var d in disks) volumeIds.Add(d);
            var nics = new List<string>();
            foreach (var pid in i.PortIds.Distinct(StringComparer.Ordinal))
            {
                if (!s.Ports.TryGetValue(pid, out var p)) { problems.Add($"instance {i.Meta.Id}: port {pid} does not exist; NIC left out"); continue; }
                if (!s.Tenants.ContainsKey(p.TenantId)) { problems.Add($"port {pid}: tenant {p.TenantId} does not exist; NIC left out"); continue; }
                if (!owner.TryAdd(pid, i.Meta.Id)) { problems.Add($"port {pid}: listed by instances {owner[pid]} and {i.Meta.Id}; kept on {owner[pid]}"); continue; }
                nics.Add(pid);
                localPorts.Add(p);
            }
            var vm = VmSpecOf(i, disks, nics, shutdownTimeoutSeconds, s.RebootGenerations.GetValueOrDefault(i.Meta.Id));
            vm.ConfigDrive = ConfigDriveOf(s, i, nics, problems);
            vm.CpuQuotaPercent = s.CpuQuotaPercent(i);
            foreach (var (pid, g) in GuestBindings.For(s, i, nics)) guests[pid] = g;
            result.Add(new Resource { Vm = vm });
        }
        // Instances deleted from (or moved off) this host: removal orders until the agent reports the
        // VM gone. A live instance here of the same id (moved back) wins: its spec is sent instead.
        if (s.VmTombstones.TryGetValue(hostId, out var tombstones))
            foreach (var id in tombstones.Where(id => instances.All(i => i.Meta.Id != id)).Order(StringComparer.Ordinal))
                result.Add(new Resource { Vm = VmTombstones.SpecOf(id) });

        foreach (var vid in volumeIds)
        {
            if (!s.Volumes.TryGetValue(vid, out var v))
            {
                if (s.Purges.TryGetValue(hostId, out var gone) && gone.ContainsKey(vid)) continue;
                problems.Add($"volume {vid}: used by a VM here but does not exist");
                continue;
            }
            if (v.State == VolumeState.Deleting) continue;
            result.Add(new Resource { Volume = VolumePurge.SpecOf(v) });
        }
        // Deleted volumes whose files this host still holds: purge orders until the agent reports
        // them done. A live volume of the same id (never expected: ids are not reused) wins.
        if (s.Purges.TryGetValue(hostId, out var purges))
            foreach (var (vid, spec) in purges.OrderBy(p => p.Key, StringComparer.Ordinal))
                if (!s.Volumes.ContainsKey(vid)) result.Add(new Resource { Volume = spec.Clone() });

        var prevPorts = (previous?.OfKind(DesiredKind.Port) ?? []).ToDictionary(r => r.Port.Id, r => (int)r.Port.Ofport, StringComparer.Ordinal);
        var prevPeers = (previous?.OfKind(DesiredKind.Tunnel) ?? []).ToDictionary(r => r.Tunnel.HostId, r => (int)r.Tunnel.Ofport, StringComparer.Ordinal);
        var ofports = LocalNumbering.Assign(localPorts.Select(p => p.Meta.Id), prevPorts, LocalNumbering.VmPortFirst, LocalNumbering.VmPortLast);
        foreach (var p in localPorts)
            result.Add(new Resource { Port = new PortBinding
            {
                Id = p.Meta.Id, InstanceId = owner[p.Meta.Id],
                TenantId = p.TenantId, MacAddress = p.MacAddress, Ofport = (uint)ofports[p.Meta.Id],
                InterfaceName = LocalNumbering.InterfaceName(p.Meta.Id, owner[p.Meta.Id]),
                Guest = guests.GetValueOrDefault(p.Meta.Id),
            } });

        var remote = RemotePorts(s, hostId, localPorts, problems);
        var peers = LocalNumbering.Assign(remote.Select(r => r.Host), prevPeers, LocalNumbering.TunnelFirst, LocalNumbering.TunnelLast);
        foreach (var (peer, ofport) in peers)
            result.Add(new Resource { Tunnel = new TunnelPeer { HostId = peer, RemoteIp = s.Hosts[peer].Inventory.TunnelIp, Ofport = (uint)ofport } });

        // Every host runs the agent's DHCP/RA responder on infra-dhcp (ofport 99).
        var state = FlowInputMapper.Map(s, hostId, localPorts, ofports, remote, peers, problems)
            with { GuestServices = new Infra.Flows.Model.GuestServices(LocalNumbering.GuestServicesOfPort) };
        foreach (var g in FlowGroups(FlowCompiler.Compile(state))) result.Add(new Resource { FlowGroup = g });
        return new DesiredBuild(result, problems);
    }

    /// <summary>Boot disk first, then the others in their listed order, each once.</summary>
    static List<string> VmDisks(Instance i)
    {
        var disks = new List<string>();
        if (i.BootVolumeId.Length > 0) disks.Add(i.BootVolumeId);
        foreach (var v in i.VolumeIds) if (v.Length > 0 && !disks.Contains(v)) disks.Add(v);
        return disks;
    }

    static VmSpec VmSpecOf(Instance i, List<string> disks, List<string> nics, uint shutdownTimeout, ulong rebootGeneration)
    {
        var spec = new VmSpec
        {
            Id = i.Meta.Id, Name = i.Meta.Name, Vcpus = i.Vcpus, CpuMhz = i.CpuMhz, MemoryMib = i.MemoryMib,
            // Unset desired state reads as RUNNING: CreateInstance starts by default.
            PowerState = i.DesiredState is InstanceState.Stopped or InstanceState.Paused ? i.DesiredState : InstanceState.Running,
            ShutdownTimeoutSeconds = shutdownTimeout,
            // The API bumps /infra/v1/reboots/<id> on RebootInstance; a larger number tells the agent to reboot once.
            RebootGeneration = rebootGeneration,
        };
        spec.VolumeIds.AddRange(disks);
        spec.PortIds.AddRange(nics);
        return spec;
    }

    /// <summary>The instance's config drive from its ports (in NIC order), networks, key pairs and user-data.</summary>
    static ConfigDrive ConfigDriveOf(ClusterSnapshot s, Instance i, List<string> nics, List<string> problems)
    {
        var keys = new List<string>();
        foreach (var k in i.SshKeyIds)
        {
            if (s.KeyPairs.TryGetValue(k, out var kp) && kp.TenantId == i.TenantId) keys.Add(kp.PublicKey);
            else problems.Add($"instance {i.Meta.Id}: key pair {k} does not exist (or is another tenant's); left off its config drive");
        }
        var userData = s.UserData.TryGetValue(i.Meta.Id, out var u) ? u.Memory : ReadOnlyMemory<byte>.Empty;
        return ConfigDriveComposer.Compose(new ConfigDriveInputs(i, nics.Select(p => s.Ports[p]).ToList(), s.Networks, keys, userData));
    }

    /// <summary>Ports of the local tenants on other hosts that have a tunnel address; ports on unknown or address-less hosts are unreachable and reported.</summary>
    static List<(Port Port, string Host)> RemotePorts(ClusterSnapshot s, string hostId, List<Port> local, List<string> problems)
    {
        var tenants = local.Select(p => p.TenantId).ToHashSet(StringComparer.Ordinal);
        var list = new List<(Port, string)>();
        foreach (var p in s.Ports.Values.OrderBy(p => p.Meta.Id, StringComparer.Ordinal))
        {
            if (!tenants.Contains(p.TenantId)) continue;
            var h = s.PortHost(p);
            if (h.Length == 0 || h == hostId) continue;
            if (!s.Hosts.TryGetValue(h, out var host) || string.IsNullOrEmpty(host.Inventory?.TunnelIp))
            {
                problems.Add($"port {p.Meta.Id}: its host {h} is unknown or has no tunnel address; unreachable from {hostId}");
                continue;
            }
            list.Add((p, h));
        }
        return list;
    }

    /// <summary>One FlowGroup per cookie, flows in the compiler's deterministic order.</summary>
    static IEnumerable<FlowGroup> FlowGroups(Infra.Flows.Flows.FlowSet set)
    {
        foreach (var g in set.Flows.GroupBy(f => f.Cookie))
        {
            var group = new FlowGroup { Cookie = g.Key };
            foreach (var f in g)
                group.Flows.Add(new Flow
                {
                    Table = f.Table, Priority = f.Priority, Match = f.MatchText,
                    Actions = f.Actions.Count == 0 ? "drop" : string.Join(",", f.Actions),
                });
            yield return group;
        }
    }
}
