using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Infra.Grpc.Interop.Tests.V1;

namespace Infra.Grpc.Interop.Tests.Support;

/// <summary>The C# side of tester.proto; Python/tester_server.py behaves the same way.</summary>
public sealed class TesterService(CancellationProbe probe) : Tester.TesterBase
{
    public override async Task<EchoReply> Unary(EchoRequest request, ServerCallContext context)
    {
        // "probe:KEY" asks whether the Wait call KEY started, and whether it saw its CancellationToken fire.
        if (request.Text.StartsWith("probe:", StringComparison.Ordinal))
        {
            var key = request.Text[6..];
            return new EchoReply { Text = probe.Cancelled(key).IsCompleted ? "cancelled" : probe.Started(key).IsCompleted ? "started" : "pending" };
        }
        await Common(request, context);
        return Reply(request, 0);
    }

    public override async Task ServerStream(EchoRequest request, IServerStreamWriter<EchoReply> responseStream, ServerCallContext context)
    {
        await Common(request, context, failNow: false);
        for (var i = 0; i < request.Count; i++)
        {
            await responseStream.WriteAsync(Reply(request, i));
            probe.MarkWritten(request.Text);
        }
        if (request.FailCode != 0) Fail(request);
    }

    public override async Task<EchoReply> ClientStream(IAsyncStreamReader<EchoRequest> requestStream, ServerCallContext context)
    {
        long total = 0;
        var count = 0;
        EchoRequest? last = null;
        while (await requestStream.MoveNext())
        {
            last = requestStream.Current;
            total += last.Payload.Length;
            count++;
            probe.MarkWritten(last.Text);
            if (last.FailCode != 0) Fail(last);
            if (last.DelayMs > 0) await Task.Delay(last.DelayMs, context.CancellationToken);
        }
        return new EchoReply { Text = last?.Text ?? "", Index = count, TotalBytes = total };
    }

    public override async Task Duplex(IAsyncStreamReader<EchoRequest> requestStream, IServerStreamWriter<EchoReply> responseStream, ServerCallContext context)
    {
        var i = 0;
        string? first = null;
        try
        {
            await foreach (var request in requestStream.ReadAllAsync())
            {
                first ??= request.Text;
                if (request.FailCode != 0) Fail(request);
                await responseStream.WriteAsync(Reply(request, i++));
            }
        }
        catch (Exception) when (context.CancellationToken.IsCancellationRequested && first is not null)
        {
            probe.MarkCancelled(first);
            throw;
        }
    }

    public override async Task<EchoReply> Wait(EchoRequest request, ServerCallContext context)
    {
        probe.MarkStarted(request.Text);
        try { await Task.Delay(Timeout.Infinite, context.CancellationToken); }
        catch (OperationCanceledException) { probe.MarkCancelled(request.Text); throw; }
        return new EchoReply();
    }

    public override Task<Empty> Ping(Empty request, ServerCallContext context) => Task.FromResult(new Empty());

    public override Task<Nested> NestedEcho(Nested.Types.Inner request, ServerCallContext context) => Task.FromResult(new Nested { Inner = request });

    static async Task Common(EchoRequest request, ServerCallContext context, bool failNow = true)
    {
        if (context.RequestHeaders.GetValue("x-echo") is { } echo)
        {
            await context.WriteResponseHeadersAsync(new Metadata { { "x-echo-header", echo } });
            context.ResponseTrailers.Add("x-echo-trailer", echo);
        }
        if (context.RequestHeaders.GetValueBytes("x-bin-bin") is { } bin) context.ResponseTrailers.Add("x-bin-bin", bin);
        if (request.DelayMs > 0) await Task.Delay(request.DelayMs, context.CancellationToken);
        if (failNow && request.FailCode != 0) Fail(request);
    }

    static void Fail(EchoRequest request)
    {
        var trailers = new Metadata { { "x-fail", "yes" }, { "x-fail-bin", new byte[] { 0, 1, 2, 255 } } };
        trailers.Add("grpc-status-details-bin", Encoding(request.FailMessage));
        throw new RpcException(new Status((StatusCode)request.FailCode, request.FailMessage), trailers);
    }

    /// <summary>Stand-in for a serialized google.rpc.Status: any bytes; the tests check they round-trip.</summary>
    public static byte[] Encoding(string message) => new EchoReply { Text = "details:" + message }.ToByteArray();

    static EchoReply Reply(EchoRequest request, int index) => new()
    {
        Text = request.Text,
        Index = index,
        Payload = request.ReplySize > 0 ? ByteString.CopyFrom(new byte[request.ReplySize]) : request.Payload,
    };
}

/// <summary>Lets tests see that the server-side CancellationToken fired, per call (keyed by request text).</summary>
public sealed class CancellationProbe
{
    readonly System.Collections.Concurrent.ConcurrentDictionary<string, (TaskCompletionSource Started, TaskCompletionSource Cancelled)> _calls = new();

    (TaskCompletionSource Started, TaskCompletionSource Cancelled) For(string key) =>
        _calls.GetOrAdd(key, _ => (new(TaskCreationOptions.RunContinuationsAsynchronously), new(TaskCreationOptions.RunContinuationsAsynchronously)));

    readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _progress = new();

    /// <summary>Counts messages the server wrote (ServerStream) or read (ClientStream) for a key.</summary>
    public void MarkWritten(string key) => _progress.AddOrUpdate(key, 1, (_, n) => n + 1);
    public int Progress(string key) => _progress.TryGetValue(key, out var n) ? n : 0;

    public void MarkStarted(string key) => For(key).Started.TrySetResult();
    public void MarkCancelled(string key) => For(key).Cancelled.TrySetResult();
    public Task Started(string key) => For(key).Started.Task;
    public Task Cancelled(string key) => For(key).Cancelled.Task;
}
