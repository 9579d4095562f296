using System.CommandLine;
using Google.Protobuf;
using Infra.Ctl.Config;
using Infra.Ctl.Output;
using Infra.Ctl.Transport;
using Grpc.Core;

namespace Infra.Ctl.Cli;

/// <summary>
/// One command's invocation: its parsed flags, resolved config (lazily, so parse-only paths such as
/// --help or completion never read the config file) and the clients of the controller.
/// </summary>
public sealed class CtlSession(CtlHost host, GlobalOptions g, ParseResult parse, CancellationToken ct) : IDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    CtlConfig? _config;
    Grpc.Net.Client.GrpcChannel? _channel;
    ControllerClients? _rpc;

    public CtlHost Host => host;
    public ParseResult Parse => parse;
    public TextWriter Out => host.Out;
    public TextWriter Err => host.Err;
    public CancellationToken CancellationToken => ct;
    public OutputFormat Format => parse.GetValue(g.Output) == "json" ? OutputFormat.Json : OutputFormat.Table;

    public CtlConfig Config => _config ??= ConfigResolver.Resolve(new ConfigInputs(
        parse.GetValue(g.Controller), parse.GetValue(g.Token), parse.GetValue(g.CaFile), host.Environment, host.Home));

    /// <summary>The generated clients of every northbound service, over one channel to the controller.</summary>
    public ControllerClients Rpc => _rpc ??= new ControllerClients((_channel = host.ChannelFactory(Config)).CreateCallInvoker());

    /// <summary>The --timeout given, or null.</summary>
    public TimeSpan? TimeoutFlag => parse.GetValue(g.Timeout) is { } t ? Durations.Parse(t, "--timeout") : null;

    /// <summary>The deadline the last call used, for error messages.</summary>
    public TimeSpan? EffectiveTimeout { get; private set; }

    public CallOptions Call(bool streaming = false)
    {
        EffectiveTimeout = TimeoutFlag ?? (streaming ? null : DefaultTimeout);
        var headers = new Metadata();
        if (Config.Token is { } token) headers.Add("authorization", "Bearer " + token);
        return new CallOptions(headers: headers, deadline: DateTime.UtcNow + EffectiveTimeout, cancellationToken: ct);
    }

    /// <summary>Prints a response: protobuf JSON, or the table the command chose.</summary>
    public void Print<T>(T message, Action<T, TextWriter> table) where T : IMessage
    {
        if (Format == OutputFormat.Json) Out.WriteLine(Json.Format(message));
        else table(message, Out);
    }

    public void Dispose() => _channel?.Dispose();
}

/// <summary>What request builders may depend on besides the flags: the idempotency key of this run.</summary>
public sealed record RequestContext(string RequestId);
