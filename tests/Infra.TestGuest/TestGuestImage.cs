using System.Diagnostics;
using System.Security.Cryptography;

namespace Infra.TestGuest;

/// <summary>
/// The guest's kernel and initrd, built once per machine by build-guest.sh (apt-get download of the
/// Debian cloud kernel and busybox-static) and cached under /var/cache/infra-test-guest/&lt;hash&gt;,
/// where the hash covers the scripts: editing the guest's init rebuilds it, nothing else does.
/// </summary>
public sealed record TestGuestImage(string Kernel, string Initrd)
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static TestGuestImage? _built;

    public static string ScriptDir => Path.Combine(AppContext.BaseDirectory, "TestGuest");

    public static async Task<TestGuestImage> EnsureBuiltAsync(CancellationToken ct = default)
    {
        await Gate.WaitAsync(ct);
        try
        {
            if (_built is not null) return _built;
            var cache = Path.Combine(Environment.GetEnvironmentVariable("INFRA_TEST_GUEST_CACHE") ?? "/var/cache/infra-test-guest", ScriptHash());
            var image = new TestGuestImage(Path.Combine(cache, "vmlinuz"), Path.Combine(cache, "initrd.gz"));
            if (!File.Exists(image.Kernel) || !File.Exists(image.Initrd))
            {
                // The script takes a file lock, so test projects running in parallel build it once.
                var psi = new ProcessStartInfo("/bin/bash") { RedirectStandardError = true, RedirectStandardOutput = true };
                psi.ArgumentList.Add(Path.Combine(ScriptDir, "build-guest.sh"));
                psi.ArgumentList.Add(cache);
                using var p = Process.Start(psi)!;
                var stderr = p.StandardError.ReadToEndAsync(ct);
                await p.StandardOutput.ReadToEndAsync(ct);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromMinutes(5));
                await p.WaitForExitAsync(timeout.Token);
                if (p.ExitCode != 0)
                    throw new InvalidOperationException($"building the test guest failed (exit {p.ExitCode}): {await stderr}");
            }
            return _built = image;
        }
        finally { Gate.Release(); }
    }

    private static string ScriptHash()
    {
        using var sha = SHA256.Create();
        foreach (var f in new[] { "build-guest.sh", "guest-init.sh", "guest-qga.sh" })
        {
            var bytes = File.ReadAllBytes(Path.Combine(ScriptDir, f));
            sha.TransformBlock(bytes, 0, bytes.Length, null, 0);
        }
        sha.TransformFinalBlock([], 0, 0);
        return Convert.ToHexString(sha.Hash!)[..16].ToLowerInvariant();
    }
}
