using System.Text.RegularExpressions;

namespace Infra.Cloud.EndToEnd.Tests.Support;

/// <summary>
/// A guest of the small image (images/small) as its user reaches it: the boot lines it prints on its
/// serial console (`infractl instance log`) and its root shell there (`infractl instance console`,
/// a script piped in). A command's outcome is read back from the console, marked by a line the shell
/// itself prints (so the echo of what was typed never counts).
/// </summary>
public sealed class GuestShell(Infractl ctl, Func<string> context)
{
    public static readonly TimeSpan Boot = TimeSpan.FromMinutes(4);
    static readonly TimeSpan Answer = TimeSpan.FromSeconds(90);

    /// <summary>The serial log, CR stripped.</summary>
    public async Task<string> LogAsync(string id) => (await ctl.RunAsync("instance", "log", id)).Out.Replace("\r", "");

    /// <summary>Waits (bounded) until the guest printed GUEST-READY; returns its log. An ERROR instance fails at once with its reason.</summary>
    public async Task<string> WaitReadyAsync(string id)
    {
        var deadline = DateTime.UtcNow + Boot;
        var log = "";
        while (DateTime.UtcNow < deadline)
        {
            log = await LogAsync(id);
            if (Regex.IsMatch(log, "^GUEST-READY", RegexOptions.Multiline)) return log;
            var get = await ctl.RunAsync("--output", "json", "instance", "get", id);
            if (get.Code == 0 && get.Json.GetProperty("state").GetString() == "INSTANCE_STATE_ERROR")
                throw new Xunit.Sdk.XunitException($"instance {id} went to ERROR: {get.Json.GetProperty("stateReason")}\n{context()}");
            await Task.Delay(1000);
        }
        throw new TimeoutException($"instance {id} never printed GUEST-READY in {Boot.TotalSeconds:F0} s; log:\n{log}\n{context()}");
    }

    /// <summary>
    /// Types <paramref name="script"/> into the guest's shell, then `echo DONE-tag rc=$?`, and returns the
    /// console output once that line came back (bounded), with the exit code of the script's last command.
    /// </summary>
    public async Task<(int Rc, string Output)> RunAsync(string id, string script, TimeSpan? timeout = null)
    {
        var tag = "DONE-" + Guid.NewGuid().ToString("N")[..8];
        var done = new Regex($@"^{tag} rc=(\d+)", RegexOptions.Multiline);
        using var console = ctl.Start("instance", "console", id, "--takeover", "--linger", "1s");
        await console.TypeAsync($"\n{script}; echo {tag} rc=$?\n");
        await console.WaitForAsync(c => done.IsMatch(c.Out.Replace("\r", "")), timeout ?? Answer, $"the end of `{script}` on {id}'s console");
        console.EndInput();
        await console.WaitExitAsync(Answer);
        var output = console.Out.Replace("\r", "");
        return (int.Parse(done.Match(output).Groups[1].Value), output);
    }

    /// <summary>Waits (bounded) until the guest's shell answers: after a start, input typed before the shell runs is lost.</summary>
    public async Task WaitShellAsync(string id)
    {
        var deadline = DateTime.UtcNow + Boot;
        while (true)
        {
            try { await RunAsync(id, "true", TimeSpan.FromSeconds(10)); return; }
            catch (TimeoutException) when (DateTime.UtcNow < deadline) { }
        }
    }

    /// <summary>Three pings from the guest's shell; answered when ping exits 0 (busybox: at least one reply).</summary>
    public async Task<(bool Answered, string Output)> PingAsync(string fromId, string address)
    {
        var (rc, output) = await RunAsync(fromId, $"ping -c 3 -W 2 {address}");
        return (rc == 0, output);
    }

    /// <summary>Pings until answered (bounded: a new port's flows and the first ARP take a moment).</summary>
    public async Task<string> PingAnsweredAsync(string fromId, string address, int attempts = 6)
    {
        var last = "";
        for (var i = 0; i < attempts; i++)
        {
            var (ok, output) = await PingAsync(fromId, address);
            if (ok) return output;
            last = output;
            await Task.Delay(2000);
        }
        throw new Xunit.Sdk.XunitException($"{address} never answered {fromId}'s pings; last console output:\n{last}\n{context()}");
    }

    /// <summary>The IPAM address and MAC of the instance's first port.</summary>
    public async Task<(string Address, string Mac, string PortId)> NicAsync(string id)
    {
        var port = (await ctl.JsonAsync("instance", "get", id)).GetProperty("portIds")[0].GetString()!;
        var p = await ctl.JsonAsync("port", "get", port);
        return (p.GetProperty("fixedIps")[0].GetProperty("address").GetString()!, p.GetProperty("macAddress").GetString()!, port);
    }

    /// <summary>The guest configured the port's address itself (config drive or DHCP): its GUEST-NET line says so.</summary>
    public static void AssertConfigured(string log, string address) =>
        Assert.True(Regex.IsMatch(log, $@"^GUEST-NET src=(cidata|dhcp) dev=eth0 ip={Regex.Escape(address)}/24 ", RegexOptions.Multiline),
            $"the guest did not configure {address} on eth0 itself:\n{log}");
}
