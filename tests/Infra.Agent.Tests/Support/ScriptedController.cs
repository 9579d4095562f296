using System.Collections.Concurrent;
using System.Net;
using Grpc.Core;
using Infra.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Infra.Agent.Tests.Support;

/// <summary>One agent session as the scripted controller sees it.</summary>
public sealed class ScriptedSession(int index, Hello hello, IServerStreamWriter<ControllerMessage> writer)
{
    private readonly SemaphoreSlim _write = new(1, 1);
    public int Index { get; } = index;
    public Hello Hello { get; } = hello;
    /// <summary>Cancel to end the session from the controller's side.</summary>
    public CancellationTokenSource End { get; } = new();

    public async Task SendAsync(DesiredState d)
    {
        await _write.WaitAsync();
        try { await writer.WriteAsync(new ControllerMessage { Desired = d }); } finally { _write.Release(); }
    }

    /// <summary>Sends any controller message (a command, a command control).</summary>
    public async Task SendAsync(ControllerMessage m)
    {
        await _write.WaitAsync();
        try { await writer.WriteAsync(m); } finally { _write.Release(); }
    }
}

/// <summary>
/// A controller in the test: Grpc.AspNetCore on Kestrel (h2c on loopback) serving AgentSession.
/// It answers Hello with Welcome, runs <see cref="Script"/> for the session, and records every agent
/// message. Not the real controller (another project); the agent's side is what is under test.
/// </summary>
public sealed class ScriptedController : AgentSession.AgentSessionBase
{
    private int _sessions;
    public Func<ScriptedSession, Task>? Script { get; set; }
    public ConcurrentQueue<(int Session, AgentMessage Message)> Received { get; } = new();
    public ConcurrentDictionary<int, ScriptedSession> Sessions { get; } = new();
    public uint HeartbeatMs { get; set; } = 200;
    /// <summary>The authorization header of the latest session.</summary>
    public string? Authorization { get; private set; }

    public override async Task Connect(IAsyncStreamReader<AgentMessage> requests, IServerStreamWriter<ControllerMessage> responses, ServerCallContext context)
    {
        var index = Interlocked.Increment(ref _sessions);
        Authorization = context.RequestHeaders.FirstOrDefault(e => e.Key == "authorization")?.Value;
        if (!await requests.MoveNext(context.CancellationToken)) return;
        var first = requests.Current;
        Received.Enqueue((index, first));
        if (first.MsgCase != AgentMessage.MsgOneofCase.Hello) throw new RpcException(new Grpc.Core.Status(StatusCode.FailedPrecondition, "first message must be Hello"));
        var session = new ScriptedSession(index, first.Hello, responses);
        Sessions[index] = session;
        await responses.WriteAsync(new ControllerMessage { Welcome = new Welcome { SessionId = $"s{index}", HeartbeatIntervalMs = HeartbeatMs, ControllerId = "scripted" } });
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, session.End.Token);
        var script = Script?.Invoke(session) ?? Task.CompletedTask;
        try
        {
            while (await requests.MoveNext(linked.Token)) Received.Enqueue((index, requests.Current));
        }
        catch (OperationCanceledException) when (session.End.IsCancellationRequested) { }
        try { await script.WaitAsync(TimeSpan.FromSeconds(5)); } catch (Exception) { }
    }

    public IEnumerable<AgentMessage> From(int session) => Received.Where(r => r.Session == session).Select(r => r.Message);

    /// <summary>Waits (bounded) for a recorded message matching <paramref name="match"/>.</summary>
    public async Task<(int Session, AgentMessage Message)> WaitForAsync(Func<int, AgentMessage, bool> match, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            foreach (var r in Received) if (match(r.Session, r.Message)) return r;
            await Task.Delay(25);
        }
        throw new TimeoutException($"no agent message within {timeout.TotalSeconds} s: {what}; got: {string.Join(", ", Received.Select(r => $"s{r.Session}:{r.Message.MsgCase}"))}");
    }
}

/// <summary>Hosts a <see cref="ScriptedController"/>; can stop and start again on the same port (controller away, back).</summary>
public sealed class ControllerServer : IAsyncDisposable
{
    private WebApplication? _app;
    public ScriptedController Controller { get; } = new();
    public int Port { get; private set; }
    public string Url => $"{(Certificate is null ? "http" : "https")}://127.0.0.1:{Port}";
    /// <summary>Set for a TLS server: a self-signed certificate for 127.0.0.1.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? Certificate { get; private set; }

    public static async Task<ControllerServer> StartAsync(bool tls = false)
    {
        var s = new ControllerServer();
        if (tls) s.Certificate = SelfSigned();
        await s.StartOnAsync(0);
        return s;
    }

    private static System.Security.Cryptography.X509Certificates.X509Certificate2 SelfSigned()
    {
        using var key = System.Security.Cryptography.ECDsa.Create();
        var req = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=infra-test-controller", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        var san = new System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        req.CertificateExtensions.Add(san.Build());
        req.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension(true, false, 0, true));
        using var cert = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        // Kestrel needs the key in an exportable form on Linux: round-trip through PKCS#12.
        return System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(cert.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pkcs12), null);
    }

    public async Task StartOnAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l =>
        {
            l.Protocols = HttpProtocols.Http2;
            if (Certificate is { } c) l.UseHttps(c);
        }));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(Controller);
        var app = builder.Build();
        app.MapGrpcService<ScriptedController>();
        await app.StartAsync();
        Port = new Uri(app.Urls.First()).Port;
        _app = app;
    }

    /// <summary>The controller goes away (sessions reset).</summary>
    public async Task StopAsync()
    {
        if (_app is null) return;
        foreach (var s in Controller.Sessions.Values) s.End.Cancel();
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2))) await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
        _app = null;
    }

    public Task RestartAsync() => StartOnAsync(Port);

    public async ValueTask DisposeAsync() => await StopAsync();
}
