namespace Infra.Agent.Compute.Runners;

/// <summary>The last lines of a log, for error messages and crash reasons.</summary>
public static class LogTail
{
    /// <summary>
    /// Up to <paramref name="lines"/> last non-empty lines joined with " | "; reads at most the last
    /// 16 KiB, reaching into the rotated file (<c>path.1</c>, see Console/SerialLog) when the current
    /// one was just started, so a crash right after a rotation still quotes the guest's last words.
    /// </summary>
    public static string Read(string path, int lines)
    {
        try
        {
            if (!File.Exists(path) && !File.Exists(Console.SerialLog.Previous(path))) return "(no log)";
            var (bytes, _) = Console.SerialLog.ReadTail(path, 16 * 1024);
            var text = System.Text.Encoding.UTF8.GetString(bytes).Replace("\r", "");
            var last = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(lines);
            var joined = string.Join(" | ", last).Trim();
            return joined.Length == 0 ? "(empty)" : joined;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return "(no log)"; }
    }
}
