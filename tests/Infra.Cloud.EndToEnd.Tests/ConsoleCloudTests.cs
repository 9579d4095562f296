using System.Text.Json;
using Infra.Cloud.EndToEnd.Tests.Support;
using Infra.TestGuest;

namespace Infra.Cloud.EndToEnd.Tests;

/// <summary>
/// One cloud with one instance whose guest (the test guest, booted by the agent's test hook under
/// TCG) runs a shell on its serial console. The agent's serial log is capped at 64 KiB per file here,
/// so a flood shows the cap in seconds.
/// </summary>
public sealed class ConsoleCloud : IAsyncLifetime
{
    public const int LogKib = 64;
    public CloudHost Cloud { get; private set; } = null!;
    public string Instance { get; private set; } = "";
    public Infractl Ctl => Cloud.Ctl;

    public async Task InitializeAsync()
    {
        var image = await TestGuestImage.EnsureBuiltAsync();
        Cloud = await CloudHost.StartAsync(new Dictionary<string, string>
        {
            ["INFRA_AGENT_TEST_GUEST_KERNEL"] = image.Kernel,
            ["INFRA_AGENT_TEST_GUEST_INITRD"] = image.Initrd,
            // Not quiet: the kernel's own boot lines are what `instance log` should show.
            ["INFRA_AGENT_TEST_GUEST_APPEND"] = "console=ttyS0 panic=-1 no_timer_check infra.shell=1",
        }, $"console_log_kib: {LogKib}");
        try
        {
            var tenant = Infractl.Id(await Ctl.JsonAsync("tenant", "create", "acme"));
            var raw = Path.Combine(Cloud.Dir, "disk.raw");
            File.WriteAllBytes(raw, new byte[1 << 20]);
            var image1 = Infractl.Id(await Ctl.JsonAsync("image", "import", raw, "-n", "disk", "-t", tenant, "--format", "raw", "--no-progress"));
            Instance = Infractl.Id(await Ctl.JsonAsync("instance", "create", "-t", tenant, "-n", "vm1", "--vcpus", "1", "--cpu-mhz", "2000", "--memory", "256M", "--image", image1));
            await Ctl.WaitAsync("instance", Instance, i => i.GetProperty("state").GetString() == "INSTANCE_STATE_RUNNING", TimeSpan.FromSeconds(120), Cloud.Logs);
            await WaitForLogAsync("GUEST-SHELL", TimeSpan.FromSeconds(120));
        }
        catch { await Cloud.DisposeAsync(); throw; }
    }

    public async Task DisposeAsync() => await Cloud.DisposeAsync();

    public string VmDir => Path.Combine(Cloud.StateDir, "vms", Instance);

    /// <summary>Polls `infractl instance log` until it shows <paramref name="text"/>; returns the log.</summary>
    public async Task<string> WaitForLogAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        CtlResult last;
        do
        {
            last = await Ctl.RunAsync("instance", "log", Instance);
            if (last.Code == 0 && last.Out.Contains(text, StringComparison.Ordinal)) return last.Out;
            await Task.Delay(500);
        } while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"instance log never showed '{text}': {last}\n{Cloud.Logs()}");
    }
}

/// <summary>
/// The serial console as a user has it, with the real controller, agent and infractl processes and a
/// real guest: the log shows the boot, a piped shell line is answered, every reader sees the answer,
/// a second writer is refused until it takes over, a flood stays within the log's cap, and an agent
/// restart ends a session cleanly while a new console works at once.
/// </summary>
public sealed class ConsoleCloudTests(ConsoleCloud f) : IClassFixture<ConsoleCloud>
{
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    Infractl Ctl => f.Ctl;

    /// <summary>A shell line whose answer only the shell can produce: $((...)) is expanded in the guest.</summary>
    static (string Line, string Answer) Arithmetic(string word)
    {
        var n = Random.Shared.Next(1000, 9000);
        return ($"echo {word}-$(({n}+1))\n", $"{word}-{n + 1}\r\n");
    }

    [Fact]
    public async Task Log_ShowsTheBoot_AndAPipedLineIsAnsweredByTheShell_ToEveryReader()
    {
        var log = await f.WaitForLogAsync("GUEST-BOOTED", Wait);
        Assert.Contains("Linux version", log);

        using var reader = Ctl.Start("instance", "console", f.Instance, "--read-only", "--timeout", "90s");
        using var reader2 = Ctl.Start("instance", "console", f.Instance, "--read-only", "--timeout", "90s");
        foreach (var r in new[] { reader, reader2 }) await r.WaitForAsync(c => c.Err.Contains("[read-only: opened as a reader]"), Wait, "the reader's status");

        var (line, answer) = Arithmetic("hello");
        var written = await Ctl.RunWithInputAsync(line, "instance", "console", f.Instance, "--linger", "3s");
        Assert.True(written.Code == 0, written.ToString());
        Assert.Contains(answer, written.Out);
        Assert.Contains("[writer: input goes to the guest]", written.Err);
        foreach (var r in new[] { reader, reader2 }) await r.WaitForOutputAsync(answer, Wait);
    }

    [Fact]
    public async Task Interactive_OnATerminal_KeysGoRawToTheShell_AndCtrlBracketDetaches()
    {
        using var term = Ctl.StartOnTerminal("instance", "console", f.Instance, "--takeover");
        await term.WaitForAsync(c => c.Out.Contains("Ctrl-] detaches]"), Wait, "the banner");
        await term.WaitForAsync(c => c.Out.Contains("[writer:"), Wait, "the writer's status");
        var (line, answer) = Arithmetic("pty");
        await term.TypeAsync(line.Replace("\n", "\r"));          // Enter on a raw terminal sends CR
        await term.WaitForOutputAsync(answer, Wait);
        await term.TypeAsync("\u001d");
        Assert.Equal(0, await term.WaitExitAsync(Wait));
        Assert.Contains("[detached]", term.Out);
    }

    [Fact]
    public async Task SecondWriter_IsRefusedSayingWhoWrites_UntilItTakesInputOver()
    {
        using var first = Ctl.Start("instance", "console", f.Instance, "--linger", "2s");
        await first.WaitForAsync(c => c.Err.Contains("[writer:"), Wait, "the first writer's status");
        var (line, answer) = Arithmetic("first");
        await first.TypeAsync(line);
        await first.WaitForOutputAsync(answer, Wait);

        var refused = await Ctl.RunWithInputAsync("echo nope\n", "instance", "console", f.Instance, "--linger", "2s");
        Assert.True(refused.Code == 6, refused.ToString());
        Assert.Contains("[read-only: session con-", refused.Err);
        Assert.Contains("error: failed precondition:", refused.Err);
        Assert.Contains("read-only", refused.Err[refused.Err.IndexOf("error:", StringComparison.Ordinal)..]);

        var (takeLine, takeAnswer) = Arithmetic("taken");
        var taker = await Ctl.RunWithInputAsync(takeLine, "instance", "console", f.Instance, "--takeover", "--linger", "3s");
        Assert.True(taker.Code == 0, taker.ToString());
        Assert.Contains(takeAnswer, taker.Out);
        await first.WaitForAsync(c => c.Err.Contains("took input over"), Wait, "the first writer told it lost input");
        await first.WaitForOutputAsync(takeAnswer, Wait);   // it still reads
        first.EndInput();
        Assert.Equal(0, await first.WaitExitAsync(Wait));
    }

    [Fact]
    public async Task GuestFloodingItsConsole_StaysWithinTheLogCap_AndTheLogEndsWithTheNewestOutput()
    {
        var flood = await Ctl.RunWithInputAsync("yes infra-flood-line | head -c 400000; echo FLOOD-$((40+2))-DONE\n",
            "instance", "console", f.Instance, "--linger", "5s", "--timeout", "110s");
        Assert.True(flood.Code == 0, flood.ToString());
        Assert.Contains("FLOOD-42-DONE", flood.Out);

        var cap = ConsoleCloud.LogKib * 1024L;
        var logs = Directory.GetFiles(f.VmDir, "serial.log*").Select(p => (Name: Path.GetFileName(p), Size: new FileInfo(p).Length)).OrderBy(x => x.Name).ToList();
        Assert.Equal(["serial.log", "serial.log.1"], logs.Select(l => l.Name));
        Assert.All(logs, l => Assert.True(l.Size <= cap, $"{l.Name} is {l.Size} bytes, over the {cap} cap"));
        var onDisk = Directory.GetFiles(f.VmDir).Sum(p => new FileInfo(p).Length);
        Console.WriteLine($"after a 400 kB console flood: serial logs {string.Join(", ", logs.Select(l => $"{l.Name} {l.Size} B"))}; the VM's state dir holds {onDisk} B");

        var whole = await Ctl.RunAsync("instance", "log", f.Instance, "--tail", "1024");
        Assert.True(whole.Code == 0, whole.ToString());
        Assert.True(whole.Out.Length <= 2 * cap, $"{whole.Out.Length} bytes of log");
        Assert.Contains("FLOOD-42-DONE", whole.Out[^200..]);
        // Everything on disk came back above; a short tail says there is more.
        var json = JsonDocument.Parse((await Ctl.RunAsync("-o", "json", "instance", "log", f.Instance, "--tail", "1")).Out).RootElement;
        Assert.True(json.GetProperty("truncated").GetBoolean());
        Assert.Equal(1024, Convert.FromBase64String(json.GetProperty("data").GetString()!).Length);
    }

    [Fact]
    public async Task AgentRestart_EndsAnOpenSessionCleanly_AndANewConsoleWorksOnTheSameVm()
    {
        var pid = f.Cloud.QemuPid(f.Instance);
        using var watching = Ctl.Start("instance", "console", f.Instance, "--read-only", "--timeout", "100s");
        await watching.WaitForAsync(c => c.Err.Contains("[read-only:"), Wait, "the session to open");

        f.Cloud.KillAgent();
        var code = await watching.WaitExitAsync(Wait);
        Assert.True(code == 8, watching.ToString());
        Assert.Contains($"console of instance {f.Instance} closed: host {f.Cloud.HostId} disconnected", watching.Err);

        f.Cloud.StartAgent();
        await f.Cloud.WaitHostUpAsync();
        var (line, answer) = Arithmetic("back");
        CtlResult again = null!;
        // The agent reattaches the console when it adopts the VM, right after it starts.
        for (var i = 0; i < 20; i++)
        {
            again = await Ctl.RunWithInputAsync(line, "instance", "console", f.Instance, "--linger", "3s");
            if (again.Code == 0 && again.Out.Contains(answer)) break;
            await Task.Delay(500);
        }
        Assert.True(again.Code == 0 && again.Out.Contains(answer), again + "\n" + f.Cloud.Logs());
        Assert.Equal(pid, f.Cloud.QemuPid(f.Instance));
        Assert.Contains("console reattached", await f.WaitForLogAsync("console reattached", Wait));
    }
}
