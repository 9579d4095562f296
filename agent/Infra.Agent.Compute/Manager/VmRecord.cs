using System.Text.Json;
using System.Text.Json.Serialization;
using Infra.Agent.Compute.Model;

namespace Infra.Agent.Compute.Manager;

/// <summary>
/// What the agent keeps on disk about a VM (spec.json): enough for a restarted agent to adopt the
/// VM, to tell a requested stop from a crash, and to keep a crash's reason.
/// </summary>
public sealed record VmRecord
{
    /// <summary>The definition it was started with (cpu_mhz updated on live changes).</summary>
    public required VmDefinition Definition { get; init; }
    /// <summary>The reboot generation it was last started or rebooted at.</summary>
    public ulong RebootGeneration { get; init; }
    /// <summary>True once the agent stopped it on purpose: a gone qemu is then Stopped, not crashed.</summary>
    public bool StoppedOnRequest { get; init; }
    /// <summary>Set once a down VM has been diagnosed, so later reports keep the first, accurate reason.</summary>
    public ObservedPower? DownAs { get; init; }
    /// <summary>The diagnosis.</summary>
    public string? DownReason { get; init; }
    /// <summary>Disks plugged in since the start (a restarted agent must know which root ports are taken).</summary>
    public IReadOnlyList<HotDisk> HotDisks { get; init; } = [];
}

/// <summary>Reads and writes VM records; writes are atomic (temp file + rename).</summary>
public sealed class VmStore(string stateRoot)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The layout for a VM.</summary>
    public VmPaths PathsOf(string id) => VmPaths.For(stateRoot, id);

    /// <summary>Saves a record.</summary>
    public void Save(VmRecord record)
    {
        var paths = PathsOf(record.Definition.Id);
        Directory.CreateDirectory(paths.Directory);
        var tmp = paths.SpecFile + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(record, Json));
        File.Move(tmp, paths.SpecFile, overwrite: true);
    }

    /// <summary>Loads a record; null when absent or unreadable.</summary>
    public VmRecord? Load(string id)
    {
        try { return JsonSerializer.Deserialize<VmRecord>(File.ReadAllText(PathsOf(id).SpecFile), Json); }
        catch (Exception e) when (e is IOException or JsonException) { return null; }
    }

    /// <summary>Ids of every VM with a state directory holding a record.</summary>
    public IReadOnlyList<string> List() =>
        Directory.Exists(stateRoot)
            ? Directory.GetDirectories(stateRoot).Select(Path.GetFileName).OfType<string>()
                .Where(id => VmIds.IsValid(id) && File.Exists(PathsOf(id).SpecFile)).Order(StringComparer.Ordinal).ToList()
            : [];

    /// <summary>Removes a VM's directory.</summary>
    public void Delete(string id)
    {
        var dir = PathsOf(id).Directory;
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }
}
