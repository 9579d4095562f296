using System.IO.Pipes;
using System.Text;
using Infra.Ctl.Errors;
using Infra.Ctl.Tests.Support;
using Infra.V1;

namespace Infra.Ctl.Tests.EndToEnd;

/// <summary>"instance console" and "instance log" against a real in-process gRPC server with a pretend shell.</summary>
public sealed class ConsoleOverTheWireTests : IAsyncLifetime
{
    InProcessController _server = null!;
    readonly TempDir _dir = new();

    public async Task InitializeAsync() => _server = await InProcessController.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    async Task<(int Code, string Out, string Err)> RunAsync(string commandLine, FakeTerminal terminal)
    {
        var (o, e) = (new StringWriter(), new StringWriter());
        var host = TestHosts.Create(o, e, home: _dir.Path) with { Terminal = () => terminal, OpenStdout = () => new NonClosing(terminal.Stdout) };
        var code = await CtlRunner.RunAsync([.. TestHosts.Args(commandLine), "--controller", _server.Address], host);
        return (code, o.ToString(), e.ToString());
    }

    static MemoryStream Stdin(string text) => new(Encoding.UTF8.GetBytes(text));

    [Fact]
    public async Task PipedInput_IsSent_TheAnswerPrinted_AndItEndsAfterStdinEndsAndOutputGoesQuiet()
    {
        var t = new FakeTerminal(Stdin("echo hello-4711\n"));
        var r = await RunAsync("instance console ins-1 --linger 300ms", t);
        Assert.True(r.Code == 0, r.Err);
        Assert.Equal("echo hello-4711\r\nhello-4711\r\n", t.Output);
        Assert.Contains("[writer: input goes to the guest]", r.Err);
        Assert.Equal(0, t.RawModeEntered);
        var open = _server.Script.Requests.OfType<ConsoleRequest>().First().Open;
        Assert.Equal(("ins-1", ConsoleAccess.Write, 0u), (open.InstanceId, open.Access, open.TailBytes));
    }

    [Fact]
    public async Task SecondWriter_ToldReadOnly_ItsPipedInputIsRefused_Exit6_AndTakeoverWrites()
    {
        _server.Script.ConsoleReadOnly = true;
        var r = await RunAsync("instance console ins-1 --linger 300ms", new FakeTerminal(Stdin("echo nope\n")));
        Assert.Equal(ExitCodes.Conflict, r.Code);
        Assert.Contains("[read-only: session con-1 writes to this console]", r.Err);
        Assert.Contains("error: failed precondition: host h1: console session con-2 is read-only", r.Err);

        var t = new FakeTerminal(Stdin("echo mine\n"));
        r = await RunAsync("instance console ins-1 --takeover --linger 300ms", t);
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("mine\r\n", t.Output);
        Assert.Equal(ConsoleAccess.Takeover, _server.Script.Requests.OfType<ConsoleRequest>().Last(q => q.Open is not null).Open.Access);
    }

    [Fact]
    public async Task Interactive_RawMode_KeysSent_DetachKeyEnds_AndTheTerminalIsRestored()
    {
        using var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
        using var stdin = new AnonymousPipeClientStream(PipeDirection.In, pipe.ClientSafePipeHandle);
        var t = new FakeTerminal(stdin, interactive: true);
        var run = RunAsync("instance console ins-1 --tail 1", t);
        await pipe.WriteAsync("echo typed\r"u8.ToArray());
        for (var i = 0; i < 200 && !t.Output.Contains("typed\r\ntyped"); i++) await Task.Delay(25);
        await pipe.WriteAsync(new byte[] { 0x1d });
        var r = await run.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(r.Code == 0, r.Err);
        Assert.Equal("GUEST-BOOTED\r\necho typed\r\ntyped\r\n", t.Output);
        Assert.Contains("Ctrl-] detaches]\r\n", r.Err);
        Assert.Contains("[detached]\r\n", r.Err);
        Assert.Equal((1, 1), (t.RawModeEntered, t.RawModeLeft));
    }

    [Fact]
    public async Task ConsoleThatCloses_ExitsZeroSayingWhy_AndReadOnlyWatchEndsAtTimeout()
    {
        var t = new FakeTerminal(Stdin("poweroff\n"));
        var r = await RunAsync("instance console ins-1 --linger 10s", t);
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("[console closed: the VM stopped (qemu closed its console)]", r.Err);

        var watch = new FakeTerminal(Stdin("never read\n"));
        var started = DateTime.UtcNow;
        r = await RunAsync("instance console ins-1 --read-only --timeout 500ms", watch);
        Assert.True(r.Code == 0, r.Err);
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(450));
        Assert.DoesNotContain(_server.Script.Requests.OfType<ConsoleRequest>(), q => q.Input.ToStringUtf8() == "never read\n");
    }

    [Fact]
    public async Task Log_PrintsTheBytesAsTheGuestWroteThem_OrJson()
    {
        _server.Script.ConsoleLog = "[    0.000000] Linux\r\nGUEST-BOOTED\r\n"u8.ToArray();
        var t = new FakeTerminal(Stdin(""));
        var r = await RunAsync("instance log ins-1 --tail 2", t);
        Assert.True(r.Code == 0, r.Err);
        Assert.Equal("[    0.000000] Linux\r\nGUEST-BOOTED\r\n", t.Output);
        Assert.Equal(2048u, _server.Script.Last<GetConsoleLogRequest>().TailBytes);

        r = await RunAsync("instance log ins-1 -o json", new FakeTerminal(Stdin("")));
        var parsed = Google.Protobuf.JsonParser.Default.Parse<GetConsoleLogResponse>(r.Out.Trim());
        Assert.Contains("GUEST-BOOTED", parsed.Data.ToStringUtf8());
        Assert.Equal(ExitCodes.Usage, (await RunAsync("instance log ins-1 --tail 2048", new FakeTerminal(Stdin("")))).Code);
        Assert.Equal(ExitCodes.Usage, (await RunAsync("instance console ins-1 --read-only --takeover", new FakeTerminal(Stdin("")))).Code);
    }

    /// <summary>The log command disposes its stdout; the test still reads the buffer afterwards.</summary>
    sealed class NonClosing(Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => inner.Position = value; }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    }
}
