namespace Infra.Agent.Compute.Runners;

/// <summary>The last lines of a log, for error messages and crash reasons.</summary>
public static class LogTail
{
    /// <summary>Up to <paramref name="lines"/> last non-empty lines joined with " | "; reads at most the last 16 KiB.</summary>
    public static string Read(string path, int lines)
    {
        try
        {
            using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var take = (int)Math.Min(f.Length, 16 * 1024);
            f.Seek(-take, SeekOrigin.End);
            var buf = new byte[take];
            f.ReadExactly(buf);
            var text = System.Text.Encoding.UTF8.GetString(buf).Replace("\r", "");
            var last = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(lines);
            var joined = string.Join(" | ", last).Trim();
            return joined.Length == 0 ? "(empty)" : joined;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return "(no log)"; }
    }
}
