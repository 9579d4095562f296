using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Infra.Grpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Infra.Ctl.Tests.Support;

/// <summary>
/// A real gRPC server (our Kestrel runtime, h2c on a free loopback port) serving scripted Infra services, so
/// infractl is exercised over the wire: headers, deadlines, trailers with google.rpc.Status, both streaming
/// directions. It stands in for the controller daemon until that lands; the lead's session test replaces it.
/// </summary>
public sealed class InProcessController : IAsyncDisposable
{
    readonly WebApplication _app;

    InProcessController(WebApplication app, string address) { _app = app; Address = address; }

    public string Address { get; }
    public Script Script => _app.Services.GetRequiredService<Script>();

    /// <summary>Starts h2c, or TLS (ALPN h2) with <paramref name="certificate"/>.</summary>
    public static async Task<InProcessController> StartAsync(X509Certificate2? certificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l =>
        {
            l.Protocols = HttpProtocols.Http2;
            if (certificate is not null) l.UseHttps(certificate);
        }));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton<Script>();
        var app = builder.Build();
        app.MapGrpcService<ScriptedNetworks>();
        app.MapGrpcService<ScriptedPolicies>();
        app.MapGrpcService<ScriptedVolumes>();
        app.MapGrpcService<ScriptedImages>();
        app.MapGrpcService<ScriptedChanges>();
        app.MapGrpcService<ScriptedInstances>();
        await app.StartAsync();
        return new InProcessController(app, $"{(certificate is null ? "http" : "https")}://127.0.0.1:{new Uri(app.Urls.First()).Port}");
    }

    public async ValueTask DisposeAsync()
    {
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5))) await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }
}

/// <summary>What the scripted services saw and how they should behave.</summary>
public sealed class Script
{
    public ConcurrentQueue<Google.Protobuf.IMessage> Requests { get; } = new();
    public ConcurrentQueue<string> Authorization { get; } = new();
    public string? RequiredToken { get; set; }
    public byte[] ExportImage { get; set; } = [];
    public bool CorruptExportChecksum { get; set; }
    public int? BreakExportAfterChunks { get; set; }
    public int AbortFirstPolicyUpdates { get; set; }
    public int WatchCalls;
    /// <summary>Consoles the scripted Instances service answers read-only (a second writer).</summary>
    public bool ConsoleReadOnly { get; set; }
    /// <summary>What the scripted console log holds.</summary>
    public byte[] ConsoleLog { get; set; } = "GUEST-BOOTED\r\n"u8.ToArray();

    public void Record(Google.Protobuf.IMessage request, ServerCallContext context)
    {
        Requests.Enqueue(request);
        Authorization.Enqueue(context.RequestHeaders.GetValue("authorization") ?? "");
        if (RequiredToken is not null && context.RequestHeaders.GetValue("authorization") != "Bearer " + RequiredToken)
            throw new RpcException(new Status(StatusCode.Unauthenticated, "missing or unknown bearer token"));
    }

    public T Last<T>() => Requests.OfType<T>().Last();
}
