using System.Text.Json;
using System.Text.RegularExpressions;

namespace Infra.Cloud.Demo.Tests.Support;

/// <summary>A VM of the demo, as its table line shows it.</summary>
public sealed record Vm(string Tenant, string Name, string Id, string Address, string State);

/// <summary>
/// infractl as the user has it after `make cloud`: /usr/local/bin/infractl with ~/.config/infra
/// inside the sandbox; and the guests' serial shells through `infractl instance console`.
/// </summary>
public sealed partial class DemoCtl(Sandbox box)
{
    static readonly TimeSpan Call = TimeSpan.FromSeconds(120);

    public async Task<RunResult> CtlAsync(params string[] args) => await box.RunAsync(Call, ["infractl", .. args]);

    public async Task<JsonElement> JsonAsync(params string[] args)
    {
        var r = await CtlAsync(["-o", "json", .. args]);
        Assert.True(r.Code == 0, $"infractl {string.Join(' ', args)}: {r}");
        return JsonDocument.Parse(r.Out).RootElement;
    }

    public static string Id(JsonElement e) => e.GetProperty("meta").GetProperty("id").GetString()!;

    /// <summary>Pipes <paramref name="script"/> into the VM's serial shell; returns what came back, CR stripped.</summary>
    public async Task<string> ConsoleAsync(string id, string script, string linger = "8s")
    {
        var r = await box.RunWithInputAsync(Call, "\n" + script + "\n", "infractl", "instance", "console", id, "--takeover", "--linger", linger);
        Assert.True(r.Code == 0, $"infractl instance console {id}: {r}");
        return r.Out.Replace("\r", "");
    }

    /// <summary>Pings from a guest's console: true when <paramref name="address"/> answered; the shell's own exit code says so.</summary>
    public async Task<(bool Answered, string Output)> PingAsync(string fromId, string address)
    {
        var output = await ConsoleAsync(fromId, $"ping -c 3 -W 2 {address}; echo PING-RESULT dst={address} rc=$?");
        var m = Regex.Matches(output, $@"^PING-RESULT dst={Regex.Escape(address)} rc=(\d+)", RegexOptions.Multiline);
        Assert.True(m.Count > 0, $"no ping result from {fromId}'s console:\n{output}");
        return (m[^1].Groups[1].Value == "0", output);
    }

    /// <summary>Pings until answered (bounded: a new port's flows and ARP take a moment).</summary>
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
        throw new Xunit.Sdk.XunitException($"{address} never answered {fromId}'s pings; last console output:\n{last}");
    }

    public async Task<string> LogAsync(string id) => (await CtlAsync("instance", "log", id)).Out.Replace("\r", "");

    /// <summary>Waits (bounded) until the guest's console shows GUEST-READY.</summary>
    public async Task WaitReadyAsync(string id, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var log = "";
        while (DateTime.UtcNow < deadline)
        {
            log = await LogAsync(id);
            if (Regex.IsMatch(log, "^GUEST-READY", RegexOptions.Multiline)) return;
            await Task.Delay(1000);
        }
        throw new TimeoutException($"instance {id} never showed GUEST-READY in {timeout.TotalSeconds:F0} s; log:\n{log}");
    }

    /// <summary>The IPAM address of the instance's first port.</summary>
    public async Task<string> AddressAsync(string id)
    {
        var port = (await JsonAsync("instance", "get", id)).GetProperty("portIds")[0].GetString()!;
        return (await JsonAsync("port", "get", port)).GetProperty("fixedIps")[0].GetProperty("address").GetString()!;
    }

    /// <summary>
    /// The address the guest configured itself (GUEST-NET ... ip=A/P, by DHCP or the config drive); if
    /// it has none, the IPAM address is set through the console as the demo's fallback does.
    /// </summary>
    public async Task EnsureAddressAsync(string id, string address)
    {
        if ((await LogAsync(id)).Contains($"dev=eth0 ip={address}/", StringComparison.Ordinal)) return;
        await ConsoleAsync(id, $"ip link set eth0 up; ip addr add {address}/24 dev eth0", "2s");
    }

    /// <summary>The VM table make cloud printed: TENANT VM ID ADDRESS STATE.</summary>
    public static IReadOnlyList<Vm> Table(string makeOutput) =>
        [.. TableLine().Matches(makeOutput).Select(m => new Vm(m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value, m.Groups[4].Value, m.Groups[5].Value))];

    [GeneratedRegex(@"^(demo|other) +(vm\d) +(\S+) +(\d+\.\d+\.\d+\.\d+) +([A-Z_]+)\s*$", RegexOptions.Multiline)]
    private static partial Regex TableLine();
}
