using System.Diagnostics;
using Infra.TestHosts;

namespace Infra.Images.Tests.Fixtures;

/// <summary>
/// A network namespace of this test's own with one tap (the guest's NIC is its other end) holding
/// the "router" addresses 10.0.0.1/24 and fd00:10::1/64, and optionally Debian's dnsmasq on it as
/// the DHCP server and IPv6 router advertiser. Everything is removed on Dispose (dnsmasq by PID).
/// </summary>
public sealed class GuestNetwork : IDisposable
{
    public const string Gateway = "10.0.0.1";
    public const string Gateway6 = "fd00:10::1";

    private Process? _dnsmasq;

    public GuestNetwork(string dir)
    {
        Dir = dir;
        Namespace = $"infimg-{Environment.ProcessId}-{Cmd.Unique()}";
        Cmd.Run("ip", "netns", "add", Namespace);
        try
        {
            Cmd.Run("ip", "-n", Namespace, "link", "set", "lo", "up");
            Cmd.Run("ip", "-n", Namespace, "tuntap", "add", Tap, "mode", "tap");
            Cmd.Run("ip", "-n", Namespace, "addr", "add", $"{Gateway}/24", "dev", Tap);
            Cmd.Run("ip", "-n", Namespace, "addr", "add", $"{Gateway6}/64", "dev", Tap, "nodad");
            Cmd.Run("ip", "-n", Namespace, "link", "set", Tap, "up");
        }
        catch { Dispose(); throw; }
    }

    public string Dir { get; }
    public string Namespace { get; }
    public string Tap => "tap0";
    public string LeaseFile => Path.Combine(Dir, "dnsmasq.leases");
    public string DnsmasqLog => Path.Combine(Dir, "dnsmasq.log");

    /// <summary>
    /// dnsmasq answering DHCP for <paramref name="mac"/> with <paramref name="ip"/>, the gateway as
    /// router and DNS server, and <paramref name="mtu"/>; and RAs for fd00:10::/64 (SLAAC). No DNS
    /// service (port 0); no ping before offers, so an offer is immediate.
    /// </summary>
    public void StartDnsmasq(string mac, string ip, int mtu)
    {
        var psi = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[]
        {
            "netns", "exec", Namespace, "dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--user=root",
            "--port=0", "--no-resolv", "--no-hosts", "--no-ping", "--bind-interfaces", $"--interface={Tap}",
            "--dhcp-range=10.0.0.0,static,255.255.255.0,1h", $"--dhcp-host={mac},{ip}",
            $"--dhcp-option=option:router,{Gateway}", $"--dhcp-option=option:dns-server,{Gateway}",
            $"--dhcp-option=option:mtu,{mtu}", "--enable-ra", $"--dhcp-range=::,constructor:{Tap},ra-only,64",
            $"--dhcp-leasefile={LeaseFile}", $"--log-facility={DnsmasqLog}", "--log-dhcp",
        }) psi.ArgumentList.Add(a);
        _dnsmasq = Process.Start(psi)!;
        Cmd.WaitUntil(() => File.Exists(DnsmasqLog) && File.ReadAllText(DnsmasqLog).Contains("IPv6 router advertisement enabled"),
            "dnsmasq to start", 20000);
    }

    public (int Exit, string Output) InNs(string file, params string[] args)
    {
        var (exit, o, e) = Cmd.RunWithExit("ip", ["netns", "exec", Namespace, file, .. args], timeoutMs: 120000);
        return (exit, o + e);
    }

    public void Dispose()
    {
        if (_dnsmasq is { HasExited: false }) { _dnsmasq.Kill(); _dnsmasq.WaitForExit(5000); }
        _dnsmasq?.Dispose();
        Cmd.RunWithExit("ip", ["netns", "del", Namespace]);
    }
}
