using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Infra.Controller.Southbound.Session;
using Grpc.Core;
using Grpc.Net.Client;
using Infra.V1;
using Microsoft.Extensions.Logging;

namespace Infra.Controller.Southbound.Commands;

/// <summary>
/// Routes a command to its host's session: this replica's own session when it holds one, else the
/// owner named in the session directory through CommandRelay.Run (HTTP/2 flow control on that stream
/// carries the export's backpressure back to the owner, whose credit follows what the relay reads).
/// </summary>
public sealed partial class CommandRouter(SessionRegistry registry, SessionDirectory directory, SouthboundOptions options,
    ILogger<CommandRouter> log) : IHostCommands, IDisposable
{
    readonly ConcurrentDictionary<string, GrpcChannel> _peers = new(StringComparer.Ordinal);

    public async IAsyncEnumerable<CommandResult> RunAsync(string hostId, Command command, string? authorization,
        [EnumeratorCancellation] CancellationToken ct)
    {
        if (registry.Find(hostId) is null)
        {
            var owner = await directory.LookupAsync(hostId, ct).ConfigureAwait(false);
            if (owner is not null && owner.ReplicaId != options.ControllerId)
            {
                LogRelaying(log, command.Id, hostId, owner.ReplicaId, owner.Url);
                await foreach (var r in RelayAsync(owner, hostId, command, authorization, ct).ConfigureAwait(false)) yield return r;
                yield break;
            }
        }
        await foreach (var r in RunLocalAsync(hostId, command, ct).ConfigureAwait(false)) yield return r;
    }

    /// <summary>Runs on this replica's own session of the host (within <see cref="CommandLimits"/>); UNAVAILABLE when it holds none.</summary>
    public IAsyncEnumerable<CommandResult> RunLocalAsync(string hostId, Command command, CancellationToken ct, bool relayed = false)
    {
        command = CommandLimits.Clamp(command);
        var session = registry.Find(hostId)
            ?? throw (relayed ? CommandErrors.NotConnectedHere(hostId, options.ControllerId) : CommandErrors.NotConnected(hostId));
        LogSending(log, command.Id, command.OpCase.ToString(), hostId, session.SessionId);
        return session.Commands.Start(command).ReadAllAsync(ct);
    }

    async IAsyncEnumerable<CommandResult> RelayAsync(SessionOwner owner, string hostId, Command command, string? authorization,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var channel = _peers.GetOrAdd(owner.Url, url => GrpcChannel.ForAddress(url, new GrpcChannelOptions { MaxReceiveMessageSize = 16 << 20 }));
        var headers = new Metadata();
        if (!string.IsNullOrEmpty(authorization)) headers.Add("authorization", authorization);
        using var call = new CommandRelay.CommandRelayClient(channel).Run(new RelayCommandRequest { HostId = hostId, Command = command },
            new CallOptions(headers: headers, cancellationToken: ct));
        while (true)
        {
            CommandResult r;
            try
            {
                if (!await call.ResponseStream.MoveNext(ct).ConfigureAwait(false)) yield break;
                r = call.ResponseStream.Current;
            }
            catch (RpcException e) when (!ct.IsCancellationRequested && IsTransport(e))
            {
                throw CommandErrors.OwnerUnreachable(hostId, owner.ReplicaId, owner.Url, e.Status.Detail);
            }
            yield return r;
        }
    }

    // A replica that cannot be reached or dies mid-stream surfaces as UNAVAILABLE (connect failed) or
    // INTERNAL/UNKNOWN (the HTTP/2 stream ended without a status); all mean "the owner is gone", which
    // the caller should see as UNAVAILABLE. The owner's own answers about the host ("host X ...")
    // already say what happened and pass through unchanged.
    static bool IsTransport(RpcException e) =>
        e.StatusCode is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown
        && !e.Status.Detail.StartsWith("host ", StringComparison.Ordinal);

    public void Dispose()
    {
        foreach (var c in _peers.Values) c.Dispose();
    }
}
