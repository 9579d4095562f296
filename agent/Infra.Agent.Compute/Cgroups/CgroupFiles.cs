namespace Infra.Agent.Compute.Cgroups;

/// <summary>Small helpers shared by the v1 and v2 writers.</summary>
internal static class CgroupFiles
{
    /// <summary>One write per value, as the kernel parses each write(2) on its own (same as the shell's '>').</summary>
    public static void Write(string path, string value)
    {
        try
        {
            using var f = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite, 1, FileOptions.None);
            var bytes = System.Text.Encoding.ASCII.GetBytes(value);
            f.Write(bytes);
        }
        catch (IOException e)
        {
            throw new IOException($"writing '{value}' to {path} failed: {e.Message}", e);
        }
    }

    public static bool ProcsContain(string procsFile, int pid) =>
        File.Exists(procsFile) && File.ReadAllLines(procsFile).Any(l => l.Trim() == pid.ToString());

    public static bool RemoveDir(string dir)
    {
        if (!Directory.Exists(dir)) return true;
        try { Directory.Delete(dir); return true; }        // cgroup dirs are removed with rmdir, files and all
        catch (IOException) { return !Directory.Exists(dir); } // EBUSY: a process is still inside
    }
}
