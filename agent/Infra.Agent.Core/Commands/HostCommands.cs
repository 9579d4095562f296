using System.Collections.Concurrent;
using Infra.Agent.Compute.Manager;
using Infra.Agent.Core.State;
using Infra.Agent.Core.Storage;
using Infra.Agent.Storage.Images;
using Infra.Agent.Storage.Volumes;
using Infra.V1;
using Microsoft.Extensions.Logging;

namespace Infra.Agent.Core.Commands;

/// <summary>
/// The agent's commands over what it runs: volumes served by <see cref="StorageApplier"/> (one
/// storage daemon each) and VMs managed by the <see cref="VmManager"/>. Which volumes a VM uses
/// comes from the desired state, which the agent holds from its first start (persisted), so an
/// agent that restarted knows it without the VM restarting. Graph changes on one volume (cuts,
/// commits) are serialized by a per-volume lock; data streaming runs outside it.
/// </summary>
public sealed partial class HostCommands(StorageApplier storage, VmManager vms, Func<DesiredSnapshot> desired, QemuImg images, ILogger log)
    : ICommandExecutor
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);
    /// <summary>Images being read by an export now (a delete must not rewrite them).</summary>
    private readonly ConcurrentDictionary<string, int> _reading = new(StringComparer.Ordinal);
    /// <summary>Temporary cuts and NBD export names of exports running now (not leftovers of a killed agent).</summary>
    private readonly ConcurrentDictionary<string, int> _inFlight = new(StringComparer.Ordinal);
    /// <summary>Results of snapshots taken by this run, by snapshot id, so a retry answers exactly what the first call did.</summary>
    private readonly ConcurrentDictionary<string, Snapshot> _taken = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (bool Quiesced, ulong WindowUs)> _groups = new(StringComparer.Ordinal);

    /// <summary>How long a block-commit may run (folding a temporary cut or deleting a snapshot).</summary>
    public TimeSpan CommitTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <inheritdoc/>
    public Task<CommandResult> RunAsync(Command command, CommandContext context, CancellationToken ct) => command.OpCase switch
    {
        Command.OpOneofCase.Snapshot => SnapshotAsync(command.Snapshot, ct),
        Command.OpOneofCase.Export => ExportAsync(command.Export, context, ct),
        Command.OpOneofCase.DeleteSnapshot => DeleteSnapshotAsync(command.DeleteSnapshot, ct),
        Command.OpOneofCase.Console => ConsoleAsync(command.Console, context, ct),
        Command.OpOneofCase.ConsoleInput => ConsoleInputAsync(command.ConsoleInput, ct),
        Command.OpOneofCase.ConsoleLog => ConsoleLogAsync(command.ConsoleLog),
        _ => throw new NotSupportedException($"command {command.OpCase} is not supported by this agent"),
    };

    /// <summary>The local, served volume <paramref name="id"/> and its base file; throws saying why not.</summary>
    private (ServedVolume Volume, string BaseFile) LocalVolume(string id)
    {
        var v = storage.Served(id) ?? throw new InvalidOperationException($"volume {id} is not served on this host");
        var file = VolumeChain.BaseFile(v.Spec) ?? throw new InvalidOperationException($"volume {id} is a network volume; run the command on the host that holds its image");
        return (v, file);
    }

    /// <summary>Locks the volumes' graphs in a fixed order (no deadlock between two multi-volume commands).</summary>
    private async Task<IDisposable> LockAsync(IEnumerable<string> volumeIds, CancellationToken ct)
    {
        var held = new List<SemaphoreSlim>();
        try
        {
            foreach (var id in volumeIds.Distinct().Order(StringComparer.Ordinal))
            {
                var s = _locks.GetOrAdd(id, _ => new SemaphoreSlim(1, 1));
                await s.WaitAsync(ct).ConfigureAwait(false);
                held.Add(s);
            }
            return new Release(held);
        }
        catch
        {
            foreach (var s in held) s.Release();
            throw;
        }
    }

    private sealed class Release(List<SemaphoreSlim> held) : IDisposable
    {
        public void Dispose() { foreach (var s in held) s.Release(); held.Clear(); }
    }
}
