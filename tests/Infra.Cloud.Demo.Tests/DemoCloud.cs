using Infra.Cloud.Demo.Tests.Support;

namespace Infra.Cloud.Demo.Tests;

/// <summary>
/// One `make cloud`, run exactly as the README's first command block says, inside a sandbox. The
/// image cache (/var/cache/infra-images, shared by design) is warmed on the host first, because the
/// sandbox has no network to fetch Debian packages; the build itself is make cloud's. Dispose runs
/// make cloud-purge if the tests did not get that far, then kills whatever is left in the sandbox.
/// </summary>
public sealed class DemoCloud : IAsyncLifetime
{
    public static readonly TimeSpan MakeTimeout = TimeSpan.FromMinutes(40);
    public Sandbox Box { get; private set; } = null!;
    public DemoCtl Ctl { get; private set; } = null!;
    public string Command { get; private set; } = "";
    public RunResult First { get; private set; } = null!;
    public RunResult ImageWarmUp { get; private set; } = null!;
    public bool Purged { get; set; }

    public async Task InitializeAsync()
    {
        var repo = Sandbox.FindRepo();
        Command = ReadmeCommand(repo, "cloud");
        ImageWarmUp = await Sandbox.RunOnHostAsync(repo, TimeSpan.FromMinutes(20), "bash", "images/build.sh", "small");
        Box = await Sandbox.StartAsync();
        Ctl = new DemoCtl(Box);
        First = await Box.RunAsync(MakeTimeout, "bash", "-c", Command);
        File.WriteAllText(Path.Combine(Box.Dir, "make-cloud.log"), First.Out);
    }

    /// <summary>The README's command that mentions <paramref name="word"/> in its opening ```sh block (comment stripped).</summary>
    public static string ReadmeCommand(string repo, string word)
    {
        var lines = File.ReadAllLines(Path.Combine(repo, "README.md"));
        var start = Array.FindIndex(lines, l => l.Trim() == "```sh");
        var end = Array.FindIndex(lines, start + 1, l => l.Trim() == "```");
        var block = lines[(start + 1)..end].Select(l => l.Split('#')[0].Trim()).Where(l => l.Length > 0).ToList();
        return block.Single(l => l.Contains(word, StringComparison.Ordinal));
    }

    /// <summary>Later steps need the cloud: fail them with make cloud's own output when it did not come up.</summary>
    public void RequireUp()
    {
        if (First.Code != 0) throw new Xunit.Sdk.XunitException($"make cloud failed, so this step cannot run:\n{First}");
    }

    public async Task DisposeAsync()
    {
        if (Box is null) return;
        if (!Purged)
            try { Console.WriteLine((await Box.RunAsync(TimeSpan.FromMinutes(3), "make", "cloud-purge")).Out); }
            catch (Exception e) { Console.WriteLine($"make cloud-purge during cleanup: {e.Message}"); }
        Box.Dispose();
    }
}
