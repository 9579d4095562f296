using Infra.Agent.Compute.Cgroups;
using Infra.Agent.Compute.Model;
using Infra.Agent.Config;
using Infra.Agent.Core.State;
using Infra.Agent.Hosting;
using Infra.V1;
using Microsoft.Extensions.Logging.Abstractions;

namespace Infra.Agent.Vm.Benchmarks;

/// <summary>
/// The daemon's own composition (<see cref="AgentHost"/>, what infra-agent runs) in this process,
/// without a controller: desired states are handed to its apply loop as the session would, so a
/// start is timed from the desired VM to the pass that started it (qemu up, QMP connected). The
/// supervised runner and TCG, no network. VMs are stopped with a 1 s grace (no OS answers ACPI).
/// </summary>
public sealed class ShippedAgent : IAsyncDisposable
{
    private readonly AgentHost _host;
    private ulong _version;

    private ShippedAgent(AgentHost host, string stateDir, CgroupTree cgroups) => (_host, StateDir, Cgroups) = (host, stateDir, cgroups);

    public string StateDir { get; }
    public CgroupTree Cgroups { get; }

    public static async Task<ShippedAgent> StartAsync(string root)
    {
        var stateDir = Path.Combine(root, "agent");
        var parent = $"infra-vmb-{Guid.NewGuid():N}"[..20];
        Directory.CreateDirectory(Path.Combine(root, "pool"));
        var (config, errors) = AgentConfigLoader.Load($$"""
            controller: {url: 'http://127.0.0.1:9'}
            host_id: bench
            state_dir: {{stateDir}}
            tunnel_ip: 127.0.0.1
            network: {enabled: false}
            storage_pools: [{name: p1, path: {{Path.Combine(root, "pool")}}}]
            compute: {runner: supervised, allow_tcg: true, force_tcg: true, mhz_per_core: 2000, nest_cgroups: true, cgroup_parent: {{parent}}}
            reconcile_interval_seconds: 3600
            """);
        if (config is null) throw new InvalidOperationException("benchmark agent config: " + string.Join("; ", errors));
        var host = await AgentHost.CreateAsync(config, NullLoggerFactory.Instance, CancellationToken.None);
        host.Apply.Start();
        return new ShippedAgent(host, stateDir, new CgroupTree { Parent = parent, NestUnderOwnCgroup = true });
    }

    public static Resource Tiny(string id, InstanceState power = InstanceState.Running) =>
        new() { Vm = new VmSpec { Id = id, Name = id, Vcpus = 1, CpuMhz = 1000, MemoryMib = 64, PowerState = power, ShutdownTimeoutSeconds = 1 } };

    /// <summary>Hands the apply loop a full desired state of <paramref name="vms"/>; returns when the pass that applied it ended.</summary>
    public async Task ApplyAsync(params Resource[] vms)
    {
        var full = new DesiredState { Version = ++_version, Full = true };
        full.Upserts.AddRange(vms);
        var outcome = await _host.Apply.SubmitAsync(DesiredSnapshot.FromFull(full));
        if (outcome.Errors.Count > 0) throw new InvalidOperationException("apply failed: " + string.Join("; ", outcome.Errors.Select(e => e.Error)));
    }

    /// <summary>Stops every VM (1 s grace), then removes them all; waits until their records are gone (bounded).</summary>
    public async Task RemoveAllAsync()
    {
        var vms = Path.Combine(StateDir, "vms");
        var ids = Directory.Exists(vms) ? Directory.GetDirectories(vms).Select(Path.GetFileName).OfType<string>().ToList() : [];
        if (ids.Count == 0) return;
        await ApplyAsync([.. ids.Select(id => Tiny(id, InstanceState.Stopped))]);
        await ApplyAsync();
        for (var i = 0; i < 600 && Directory.Exists(vms) && Directory.GetDirectories(vms).Length > 0; i++)
        {
            await Task.Delay(100);
            _host.Apply.RequestPass();
        }
        foreach (var id in ids) Cgroups.For(id).Remove();
    }

    public string PidFileOf(string id) => VmPaths.For(Path.Combine(StateDir, "vms"), id).PidFile;

    public async ValueTask DisposeAsync()
    {
        try { await RemoveAllAsync(); } finally { await _host.DisposeAsync(); Cgroups.RemoveParent(); }
    }
}
