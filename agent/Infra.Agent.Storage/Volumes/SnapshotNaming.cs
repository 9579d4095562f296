using System.Text.RegularExpressions;

namespace Infra.Agent.Storage.Volumes;

/// <summary>
/// Snapshots are found by file name alone, so an agent that restarts needs no state file: the
/// overlay created when snapshot S of a volume was cut is <c>&lt;dir&gt;/&lt;stem&gt;@&lt;S&gt;.qcow2</c>
/// next to the volume's own file (stem = that file's name without extension), and S's content is that
/// overlay's backing file (with its chain). The file exists exactly as long as S does. Names starting
/// with '~' are the agent's own temporary cuts (an export in progress), never valid snapshot ids.
/// </summary>
public static partial class SnapshotNaming
{
    /// <summary>Prefix of temporary cuts (cannot start a snapshot id).</summary>
    public const string TemporaryPrefix = "~";

    /// <summary>The overlay created at snapshot <paramref name="snapshotId"/> of the volume whose base file is <paramref name="volumeFile"/>.</summary>
    public static string OverlayPath(string volumeFile, string snapshotId) =>
        Path.Combine(Path.GetDirectoryName(volumeFile)!, $"{Path.GetFileNameWithoutExtension(volumeFile)}@{snapshotId}.qcow2");

    /// <summary>Every overlay of the volume (snapshots and temporary cuts), any order.</summary>
    public static IEnumerable<string> OverlaysOf(string volumeFile)
    {
        var dir = Path.GetDirectoryName(volumeFile)!;
        return Directory.Exists(dir) ? Directory.EnumerateFiles(dir, Path.GetFileNameWithoutExtension(volumeFile) + "@*.qcow2") : [];
    }

    /// <summary>The snapshot id an overlay file names, or null when it is not one (or a temporary cut).</summary>
    public static string? SnapshotIdOf(string overlayPath)
    {
        var name = Path.GetFileNameWithoutExtension(overlayPath);
        var at = name.IndexOf('@');
        if (at < 0) return null;
        var id = name[(at + 1)..];
        return IsValidId(id) ? id : null;
    }

    /// <summary>Snapshot ids become file names: letters, digits, '-', '_', '.', at most 80, not starting with '.' or '~'.</summary>
    public static bool IsValidId(string id) => IdPattern().IsMatch(id);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")]
    private static partial Regex IdPattern();
}
