using Infra.Agent.Storage.Volumes;

namespace Infra.Agent.Vm.Tests.Support;

/// <summary>
/// One booted test guest shared by a test class (guests are slow under TCG): started through the
/// VmHost on its volumes, with the given kernel switches. Each test leaves it running.
/// </summary>
public abstract class RunningGuestFixture : IAsyncLifetime
{
    public VmTestHost T { get; private set; } = null!;
    public abstract string Id { get; }
    protected abstract string[] KernelArgs { get; }
    protected virtual int HotplugSlots => 0;
    protected abstract IReadOnlyList<VolumeSpec> Volumes(VmTestHost t);
    public Infra.Agent.Vm.Hosting.VmStarted Started { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        T = await VmTestHost.StartAsync();
        try
        {
            Started = await T.Host.StartAsync(T.Guest(Id, HotplugSlots, KernelArgs), Volumes(T));
            await T.WaitForSerialAsync(Id, "GUEST-BOOTED", TimeSpan.FromSeconds(90));
            // A guest that watches for hot-plugged disks says so once it is fully up; plugging earlier
            // raced the guest's PCIe hot-plug driver and the disk was sometimes never seen.
            if (KernelArgs.FirstOrDefault(a => a.StartsWith("infra.watch=", StringComparison.Ordinal)) is { } watch)
                await T.WaitForSerialAsync(Id, "GUEST-WATCHING " + watch["infra.watch=".Length..], TimeSpan.FromSeconds(90));
        }
        catch
        {
            await T.DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync() => await T.DisposeAsync();
}

/// <summary>A guest with the guest-agent stand-in, a ticking boot disk and two hot-plug slots watched as vdb.</summary>
public sealed class AgentGuestFixture : RunningGuestFixture
{
    public override string Id => "ga";
    protected override string[] KernelArgs => ["infra.qga=1", "infra.tick=1", "infra.watch=vdb"];
    protected override int HotplugSlots => 2;
    protected override IReadOnlyList<VolumeSpec> Volumes(VmTestHost t) => [t.RawVolume("ga0", firstLine: "BOOT-A")];
}

/// <summary>A guest without any guest agent, with two ticking disks.</summary>
public sealed class NoAgentGuestFixture : RunningGuestFixture
{
    public override string Id => "gn";
    protected override string[] KernelArgs => ["infra.tick=1"];
    protected override IReadOnlyList<VolumeSpec> Volumes(VmTestHost t) => [t.RawVolume("gn0"), t.RawVolume("gn1")];
}

/// <summary>The test classes that share the one guest with an agent (run one after another).</summary>
[CollectionDefinition(Name)]
public sealed class AgentGuestCollection : ICollectionFixture<AgentGuestFixture>
{
    public const string Name = "agent guest";
}
