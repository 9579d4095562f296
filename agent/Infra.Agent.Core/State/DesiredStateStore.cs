using Google.Protobuf;
using Infra.V1;

namespace Infra.Agent.Core.State;

/// <summary>What the store found on disk at start.</summary>
/// <param name="Snapshot">The snapshot to enforce (empty when none or damaged).</param>
/// <param name="Problem">Why the file could not be used, or null.</param>
public sealed record LoadedState(DesiredSnapshot Snapshot, string? Problem);

/// <summary>
/// The last desired state the agent accepted, kept at &lt;state dir&gt;/desired-state.pb so that a
/// restarted agent (or one cut off from the controller) keeps enforcing it. A damaged file is moved
/// aside (desired-state.pb.corrupt) and the agent starts from version 0, which makes the controller
/// send a full state; running VMs are still adopted, since the VM manager's own records survive.
/// </summary>
public sealed class DesiredStateStore(string stateDirectory)
{
    /// <summary>The file.</summary>
    public string FilePath { get; } = Path.Combine(stateDirectory, "desired-state.pb");

    /// <summary>Saves <paramref name="snapshot"/> atomically and durably.</summary>
    public void Save(DesiredSnapshot snapshot) => StateFile.Write(FilePath, snapshot.ToMessage().ToByteArray());

    /// <summary>Loads the saved snapshot.</summary>
    public LoadedState Load()
    {
        try
        {
            var bytes = StateFile.Read(FilePath);
            if (bytes is null) return new(DesiredSnapshot.Empty, null);
            return new(DesiredSnapshot.FromFull(DesiredState.Parser.ParseFrom(bytes)), null);
        }
        catch (Exception e) when (e is InvalidDataException or InvalidProtocolBufferException)
        {
            File.Move(FilePath, FilePath + ".corrupt", overwrite: true);
            return new(DesiredSnapshot.Empty, $"{e.Message}; moved aside to {FilePath}.corrupt, asking the controller for a full state");
        }
    }
}
