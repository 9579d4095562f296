using System.Diagnostics;
using System.Text;

namespace Infra.Agent.Storage.Tests;

/// <summary>A temp dir removed on Dispose, plus small helpers to write and read known bytes.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("infra-stor-").FullName;
    public string this[string name] => System.IO.Path.Combine(Path, name);
    public void Dispose() { try { Directory.Delete(Path, true); } catch (IOException) { } }
}

internal static class TestFiles
{
    public const int MiB = 1024 * 1024;

    public static void WriteAt(string path, long offset, string text)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Write);
        fs.Position = offset;
        fs.Write(Encoding.ASCII.GetBytes(text));
    }

    public static string ReadAt(string path, long offset, int count)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        fs.Position = offset;
        var buf = new byte[count];
        fs.ReadExactly(buf);
        return Encoding.ASCII.GetString(buf);
    }

    public static string Sha256(string path)
    {
        using var fs = File.OpenRead(path);
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(fs));
    }

    public static string NewPattern() => "INFRA-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Runs qemu-io (a real qemu block client) with one command; used to write through an NBD export.</summary>
    public static async Task QemuIoAsync(string image, string format, string command)
    {
        var psi = new ProcessStartInfo("qemu-io") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-f", format, image, "-c", command }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(p.ExitCode == 0, $"qemu-io {command} failed: {output} {await err}");
    }
}
