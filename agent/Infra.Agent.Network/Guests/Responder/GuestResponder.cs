using System.Collections.Frozen;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Infra.Agent.Network.Guests.Responder;

/// <summary>
/// The host-local DHCP and router-advertisement responder. It owns the internal port infra-dhcp on
/// br-int (ofport 99; created by the network reconciler like any port) and reads and writes raw
/// frames on it. The flows guarantee what reaches it: only DHCP client frames and RSs of local
/// ports, each with the asking port's tag as destination MAC; they also guarantee that its answers
/// reach only the port their tag names. What to answer is <see cref="GuestAnswers"/> (pure); this
/// class is the I/O around it: one read loop that reopens the socket while the port is missing
/// (OVS may create it after the agent starts), and a periodic RA to every port with an IPv6 prefix.
/// The configuration is swapped whole by <see cref="Update"/>; no lease state is kept, because
/// every binding is static (the controller's IPAM decides it).
/// </summary>
public sealed partial class GuestResponder : IAsyncDisposable
{
    readonly GuestResponderOptions _options;
    readonly ILogger _log;
    readonly CancellationTokenSource _stop = new();
    volatile FrozenDictionary<int, GuestPortConfig> _ports = FrozenDictionary<int, GuestPortConfig>.Empty;
    volatile PacketSocket? _socket;
    Task? _loop;
    Task? _advertiser;
    long _answered;

    public GuestResponder(GuestResponderOptions options, ILogger<GuestResponder> log)
    {
        _options = options;
        _log = log;
    }

    /// <summary>Frames answered since start (DHCP and RA, solicited or not).</summary>
    public long Answered => Interlocked.Read(ref _answered);

    /// <summary>True while the socket on the responder port is open.</summary>
    public bool Listening => _socket is not null;

    /// <summary>Replaces the whole configuration; ports that gained an IPv6 prefix get an RA at once.</summary>
    public void Update(IEnumerable<GuestPortConfig> ports)
    {
        var next = ports.GroupBy(p => p.OfPort).ToFrozenDictionary(g => g.Key, g => g.Last());
        var old = _ports;
        _ports = next;
        foreach (var p in next.Values)
            if (p.V6Prefix is not null && (!old.TryGetValue(p.OfPort, out var was) || !Same(was, p))) Advertise(p);
    }

    // Record equality compares the lists by reference, and every apply pass maps fresh lists: without
    // this every pass (seconds apart) would advertise to every IPv6 port.
    static bool Same(GuestPortConfig a, GuestPortConfig b) =>
        a with { DnsServers = [], Routes = [] } == b with { DnsServers = [], Routes = [] }
        && a.DnsServers.SequenceEqual(b.DnsServers) && a.Routes.SequenceEqual(b.Routes);

    public void Start()
    {
        _loop ??= Task.Run(() => ReadLoopAsync(_stop.Token));
        _advertiser ??= Task.Run(() => AdvertiseLoopAsync(_stop.Token));
    }

    async Task ReadLoopAsync(CancellationToken ct)
    {
        var buffer = new byte[2048];
        var lastError = "";
        while (!ct.IsCancellationRequested)
        {
            try
            {
                Prepare(_options.InterfaceName);
                using var socket = PacketSocket.Open(_options.InterfaceName);
                _socket = socket;
                LogListening(_log, _options.InterfaceName);
                lastError = "";
                while (!ct.IsCancellationRequested)
                {
                    var n = socket.Receive(buffer, TimeSpan.FromMilliseconds(500));
                    if (n == 0) continue;
                    var ports = _ports;
                    if (GuestAnswers.Answer(buffer.AsSpan(0, n), o => ports.GetValueOrDefault(o), _options.LeaseTime) is { } reply)
                    {
                        socket.Send(reply);
                        Interlocked.Increment(ref _answered);
                    }
                }
            }
            catch (IOException e)
            {
                // The port is missing until the reconciler creates it, and gone while OVS restarts.
                if (e.Message != lastError) LogSocketProblem(_log, _options.InterfaceName, e.Message);
                lastError = e.Message;
            }
            finally { _socket = null; }
            try { await Task.Delay(TimeSpan.FromSeconds(1), ct); } catch (OperationCanceledException) { }
        }
    }

    async Task AdvertiseLoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_options.RaInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
                foreach (var p in _ports.Values) Advertise(p);
        }
        catch (OperationCanceledException) { }
    }

    void Advertise(GuestPortConfig port)
    {
        if (_socket is not { } s || GuestAnswers.Advertise(port) is not { } ra) return;
        try
        {
            s.Send(ra);
            Interlocked.Increment(ref _answered);
        }
        catch (IOException e) { LogSocketProblem(_log, _options.InterfaceName, e.Message); }
        catch (ObjectDisposedException) { }
    }

    /// <summary>
    /// The port carries no host traffic: no IPv6 (so the kernel sends no RS/NS of its own into
    /// br-int), and it must be up for frames to flow. Both are idempotent.
    /// </summary>
    static void Prepare(string name)
    {
        // Not /sys/class/net: sysfs shows the namespace it was mounted in, and the agent may run under nsenter --net.
        if (!PacketSocket.Exists(name)) throw new IOException($"interface {name} does not exist (yet)");
        try { File.WriteAllText($"/proc/sys/net/ipv6/conf/{name}/disable_ipv6", "1"); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        using var p = Process.Start(new ProcessStartInfo("ip", ["link", "set", "dev", name, "up"]) { RedirectStandardError = true, RedirectStandardOutput = true })
            ?? throw new IOException("cannot run ip");
        var err = p.StandardError.ReadToEnd();
        if (!p.WaitForExit(10_000)) { p.Kill(); throw new IOException($"ip link set {name} up did not finish in 10 s"); }
        if (p.ExitCode != 0) throw new IOException($"ip link set {name} up failed: {err.Trim()}");
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        foreach (var t in new[] { _loop, _advertiser })
            if (t is not null) try { await t; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
