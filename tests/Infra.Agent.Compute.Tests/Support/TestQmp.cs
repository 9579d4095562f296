using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Infra.Agent.Compute.Monitor;

namespace Infra.Agent.Compute.Tests.Support;

/// <summary>
/// Test-only QMP: just enough of the protocol (greeting, qmp_capabilities, one command at a time)
/// to drive a real qemu until the project's QMP client (agent/Infra.Qmp) is plugged in.
/// </summary>
public sealed class TestQmpFactory : IVmMonitorFactory
{
    public async Task<IVmMonitor> ConnectAsync(string qmpSocketPath, TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await s.ConnectAsync(new UnixDomainSocketEndPoint(qmpSocketPath), cts.Token);
            var m = new TestQmp(s);
            await m.ReadAsync(cts.Token); // greeting
            await m.CommandAsync("qmp_capabilities", cts.Token);
            return m;
        }
        catch { s.Dispose(); throw; }
    }
}

public sealed class TestQmp(Socket socket) : IVmMonitor
{
    private readonly StreamReader _reader = new(new NetworkStream(socket, ownsSocket: false), Encoding.UTF8);
    public List<VmEvent> Events { get; } = [];

    internal async Task<JsonElement> ReadAsync(CancellationToken ct)
    {
        var line = await _reader.ReadLineAsync(ct) ?? throw new IOException("QMP connection closed");
        return JsonDocument.Parse(line).RootElement.Clone();
    }

    internal async Task<JsonElement> CommandAsync(string name, CancellationToken ct)
    {
        await socket.SendAsync(Encoding.UTF8.GetBytes($"{{\"execute\":\"{name}\"}}\n"), ct);
        while (true)
        {
            var msg = await ReadAsync(ct);
            if (msg.TryGetProperty("return", out var r)) return r;
            if (msg.TryGetProperty("error", out var e)) throw new InvalidOperationException($"QMP {name}: {e}");
            if (msg.TryGetProperty("event", out var ev)) Events.Add(new VmEvent(ev.GetString()!, msg.TryGetProperty("data", out var d) ? d.GetRawText() : "{}"));
        }
    }

    public async Task<VmRunStatus> QueryStatusAsync(CancellationToken ct)
    {
        var r = await CommandAsync("query-status", ct);
        return new VmRunStatus(r.GetProperty("running").GetBoolean(), r.GetProperty("status").GetString()!);
    }

    public Task SystemPowerdownAsync(CancellationToken ct) => CommandAsync("system_powerdown", ct);
    public Task SystemResetAsync(CancellationToken ct) => CommandAsync("system_reset", ct);
    public Task StopAsync(CancellationToken ct) => CommandAsync("stop", ct);
    public Task ContAsync(CancellationToken ct) => CommandAsync("cont", ct);
    public Task QuitAsync(CancellationToken ct) => CommandAsync("quit", ct);

    public async IAsyncEnumerable<VmEvent> EventsAsync([EnumeratorCancellation] CancellationToken ct)
    {
        foreach (var e in Events.ToList()) yield return e;
        await Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
