using System.Diagnostics;
using System.Net;
using Infra.Agent.Network.Guests.Dhcp;
using Infra.Agent.Network.Guests.Frames;
using Infra.Agent.Network.Guests.Responder;
using Infra.TestHosts;
using Microsoft.Extensions.Logging.Abstractions;

/// <summary>
/// Leases per second (DISCOVER, OFFER, REQUEST, ACK; one client exchange at a time, every client a
/// new MAC) of the agent's responder and of dnsmasq, each on the same veth pair in a namespace made
/// for the run. The client is a raw AF_PACKET socket; for the responder it writes the port tag br-int
/// would write (the switch is not what is measured), for dnsmasq plain broadcast. dnsmasq keeps its
/// lease file (its normal mode; also run with --leasefile-ro); ours keeps no state. Usage: ... dhcp [clients]
/// </summary>
static class DhcpBench
{
    const string Srv = "dhb-srv", Cli = "dhb-cli";

    public static async Task RunAsync(string[] args)
    {
        var clients = args.Length > 0 ? int.Parse(args[0]) : 2000;
        if (Environment.GetEnvironmentVariable("DHB_INSIDE") is null)
        {
            // Re-run inside a private namespace: both servers and the client only ever see its veth pair.
            var ns = "dhb-" + Cmd.Unique();
            Cmd.Run("ip", "netns", "add", ns);
            try
            {
                var psi = new ProcessStartInfo("ip", ["netns", "exec", ns, "env", "DHB_INSIDE=1", Environment.ProcessPath!, .. Environment.GetCommandLineArgs()[1..]]);
                using var p = Process.Start(psi)!;
                await p.WaitForExitAsync();
            }
            finally { Cmd.RunWithExit("ip", ["netns", "del", ns]); }
            return;
        }
        Cmd.Run("ip", "link", "add", Srv, "type", "veth", "peer", "name", Cli);
        Cmd.Run("ip", "link", "set", Cli, "up");
        Cmd.Run("sysctl", "-qw", $"net.ipv6.conf.{Cli}.disable_ipv6=1");
        Console.WriteLine($"{clients} clients, one exchange at a time");
        Console.WriteLine($"infra responder: {await OursAsync(clients):F0} leases/s");
        Cmd.Run("ip", "addr", "add", "10.0.0.1/16", "dev", Srv);
        Console.WriteLine($"dnsmasq:         {Dnsmasq(clients, leaseFile: true):F0} leases/s (lease file, its default)");
        Console.WriteLine($"dnsmasq:         {Dnsmasq(clients, leaseFile: false):F0} leases/s (--leasefile-ro, no lease state on disk)");
    }

    static ulong MacOf(int i) => 0x02_00_00_00_00_00UL | (uint)(i + 1);

    static async Task<double> OursAsync(int clients)
    {
        var ports = Enumerable.Range(0, clients).Select(i => new GuestPortConfig(1000 + i, MacOf(i),
            new IPAddress([10, 0, (byte)((i + 10) >> 8), (byte)(i + 10)]), 16, IPAddress.Parse("10.0.0.1"), null, null, false,
            [IPAddress.Parse("10.0.0.1")], 1450, [], $"vm-{i}")).ToList();
        await using var responder = new GuestResponder(new GuestResponderOptions(Srv, TimeSpan.FromHours(1), TimeSpan.FromMinutes(30)), NullLogger<GuestResponder>.Instance);
        responder.Update(ports);
        responder.Start();
        Cmd.WaitUntil(() => responder.Listening, "the responder's socket");
        return Leases(clients, i => GuestAnswers.Tag(1000 + i));
    }

    static double Dnsmasq(int clients, bool leaseFile)
    {
        var dir = Directory.CreateTempSubdirectory("dhb-").FullName;
        var psi = new ProcessStartInfo("dnsmasq", ["--no-daemon", "--port=0", $"--interface={Srv}", "--bind-interfaces", "--dhcp-range=10.0.0.10,10.0.255.250,1h",
            "--no-ping", leaseFile ? $"--dhcp-leasefile={dir}/leases" : "--leasefile-ro", $"--dhcp-lease-max={clients + 10}", "--dhcp-authoritative", $"--pid-file={dir}/pid", "--conf-file=/dev/null"])
            { RedirectStandardError = true, RedirectStandardOutput = true };
        using var d = Process.Start(psi)!;
        var log = new System.Text.StringBuilder();
        d.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        d.OutputDataReceived += (_, _) => { };
        d.BeginErrorReadLine(); d.BeginOutputReadLine();
        try
        {
            Thread.Sleep(500);
            return Leases(clients, _ => 0xff_ff_ff_ff_ff_ffUL);
        }
        catch (TimeoutException) { lock (log) Console.WriteLine(log.ToString()[..Math.Min(log.Length, 3000)]); throw; }
        finally { d.Kill(); d.WaitForExit(5000); Directory.Delete(dir, true); }
    }

    /// <summary>Runs every client's DORA once; leases per second over the whole run.</summary>
    static double Leases(int clients, Func<int, ulong> dst)
    {
        using var socket = PacketSocket.Open(Cli);
        var buffer = new byte[2048];
        var sw = Stopwatch.StartNew();
        var bound = 0;
        for (var i = 0; i < clients; i++)
        {
            var xid = (uint)(0x5000_0000 + i);
            var mac = MacOf(i);
            socket.Send(Frame(dst(i), mac, xid, DhcpMessageType.Discover, []));
            if (Await(socket, buffer, xid, DhcpMessageType.Offer) is not { } offer)
            {
                if (i - bound >= 3 && bound == 0) throw new TimeoutException("the first clients got no offer; server not answering");
                continue;
            }
            socket.Send(Frame(dst(i), mac, xid, DhcpMessageType.Request,
                [DhcpOption.Address(DhcpOptionCode.RequestedAddress, offer.Yiaddr), DhcpOption.Of(DhcpOptionCode.ServerId, offer.Option(DhcpOptionCode.ServerId)!)]));
            if (Await(socket, buffer, xid, DhcpMessageType.Ack) is not null) bound++;
        }
        var rate = bound / sw.Elapsed.TotalSeconds;
        if (bound != clients) Console.WriteLine($"  ({clients - bound} of {clients} got no lease)");
        return rate;
    }

    static byte[] Frame(ulong dst, ulong mac, uint xid, DhcpMessageType type, DhcpOption[] more)
    {
        var m = new DhcpMessage(DhcpMessage.BootRequest, xid, 0, DhcpMessage.BroadcastFlag, IPAddress.Any, IPAddress.Any, IPAddress.Any, IPAddress.Any,
            Ethernet.MacBytes(mac), [DhcpOption.Of(DhcpOptionCode.MessageType, (byte)type), .. more]);
        return Udp4.Build(dst, mac, IPAddress.Any, IPAddress.Broadcast, 68, 67, m.Encode());
    }

    static DhcpMessage? Await(PacketSocket s, byte[] buffer, uint xid, DhcpMessageType want)
    {
        var deadline = Environment.TickCount64 + 2000;
        while (Environment.TickCount64 < deadline)
        {
            var n = s.Receive(buffer, TimeSpan.FromMilliseconds(200));
            if (n == 0 || !Udp4.TryRead(buffer.AsSpan(0, n), out var sp, out _, out var payload) || sp != 67) continue;
            if (DhcpMessage.TryDecode(payload, out var m, out _) && m.Xid == xid && m.Type == want) return m;
        }
        return null;
    }
}
