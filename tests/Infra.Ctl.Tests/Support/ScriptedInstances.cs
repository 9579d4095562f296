using System.Text;
using Google.Protobuf;
using Infra.Grpc;
using Infra.V1;

namespace Infra.Ctl.Tests.Support;

/// <summary>
/// The console as the contract says, with a pretend shell: a status first; input is echoed and each
/// line "run" (its text after "echo " printed); input from a read-only session fails the call
/// FAILED_PRECONDITION; "poweroff" closes the console. GetConsoleLog returns the script's log tail.
/// </summary>
public sealed class ScriptedInstances(Script script) : Instances.InstancesBase
{
    public override async Task Console(IAsyncStreamReader<ConsoleRequest> requestStream, IServerStreamWriter<ConsoleResponse> responseStream, ServerCallContext context)
    {
        if (!await requestStream.MoveNext(context.CancellationToken) || requestStream.Current.Open is not { } open)
            throw new RpcException(new Status(StatusCode.InvalidArgument, "open first"));
        script.Record(requestStream.Current, context);
        var writer = open.Access != ConsoleAccess.ReadOnly && !(script.ConsoleReadOnly && open.Access != ConsoleAccess.Takeover);
        var first = new ConsoleResponse { Status = new ConsoleStatus { Writer = writer, Reason = writer ? "writer: input goes to the guest" : "read-only: session con-1 writes to this console" } };
        if (open.TailBytes > 0) first.Data = ByteString.CopyFrom(script.ConsoleLog);
        await responseStream.WriteAsync(first);
        var line = new StringBuilder();
        while (await requestStream.MoveNext(context.CancellationToken))
        {
            script.Record(requestStream.Current, context);
            if (!writer) throw new RpcException(new Status(StatusCode.FailedPrecondition, "host h1: console session con-2 is read-only: session con-1 writes to its console; open with takeover to take input over"));
            var text = requestStream.Current.Input.ToStringUtf8();
            var echo = new StringBuilder();
            foreach (var ch in text)
            {
                if (ch is '\n' or '\r')
                {
                    echo.Append("\r\n");
                    var cmd = line.ToString();
                    line.Clear();
                    if (cmd.StartsWith("echo ", StringComparison.Ordinal)) echo.Append(cmd[5..]).Append("\r\n");
                    if (cmd == "poweroff")
                    {
                        await responseStream.WriteAsync(new ConsoleResponse { Data = ByteString.CopyFromUtf8(echo.ToString()) });
                        await responseStream.WriteAsync(new ConsoleResponse { Closed = "the VM stopped (qemu closed its console)" });
                        return;
                    }
                }
                else { line.Append(ch); echo.Append(ch); }
            }
            await responseStream.WriteAsync(new ConsoleResponse { Data = ByteString.CopyFromUtf8(echo.ToString()) });
        }
        // Input ended: keep the session open until the client goes, as the controller does.
        await Task.Delay(Timeout.Infinite, context.CancellationToken);
    }

    public override Task<GetConsoleLogResponse> GetConsoleLog(GetConsoleLogRequest request, ServerCallContext context)
    {
        script.Record(request, context);
        var n = Math.Min(script.ConsoleLog.Length, request.TailBytes == 0 ? 65536 : (int)request.TailBytes);
        return Task.FromResult(new GetConsoleLogResponse { Data = ByteString.CopyFrom(script.ConsoleLog[^n..]), Truncated = n < script.ConsoleLog.Length });
    }
}

/// <summary>A terminal for tests: stdin from a stream, stdout into a buffer, raw mode counted.</summary>
public sealed class FakeTerminal(Stream stdin, bool interactive = false) : Infra.Ctl.Cli.ICtlTerminal
{
    public MemoryStream Stdout { get; } = new();
    public int RawModeEntered { get; private set; }
    public int RawModeLeft { get; private set; }
    public bool IsInteractive => interactive;
    public Stream OpenInput() => stdin;
    public Stream OpenOutput() => Stdout;
    public IDisposable EnterRawMode()
    {
        RawModeEntered++;
        return new Leave(this);
    }
    public string Output => Encoding.UTF8.GetString(Stdout.ToArray());

    sealed class Leave(FakeTerminal t) : IDisposable
    {
        public void Dispose() => t.RawModeLeft++;
    }
}
