using System.Security.Cryptography;
using Infra.Ctl.Errors;
using Infra.Ctl.Tests.Support;
using Infra.V1;

namespace Infra.Ctl.Tests.EndToEnd;

/// <summary>CtlRunner.RunAsync against a real in-process gRPC server: flags to wire to output and exit code.</summary>
public sealed class OverTheWireTests : IAsyncLifetime
{
    InProcessController _server = null!;
    readonly TempDir _dir = new();

    public async Task InitializeAsync() => _server = await InProcessController.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    sealed record Result(int Code, string Out, string Err);

    async Task<Result> Run(string commandLine, Func<CtlHost, CtlHost>? adjust = null, string? controller = null)
    {
        var (o, e) = (new StringWriter(), new StringWriter());
        var host = TestHosts.Create(o, e, home: _dir.Path);
        if (adjust is not null) host = adjust(host);
        var args = TestHosts.Args(commandLine).Concat(["--controller", controller ?? _server.Address]).ToArray();
        var code = await CtlRunner.RunAsync(args, host);
        return new Result(code, o.ToString(), e.ToString());
    }

    [Fact]
    public async Task NetworkCreate_SendsRequestAndPrintsTable()
    {
        var r = await Run("network create --tenant ten-1 --name front --subnet 10.0.0.0/24,gateway=10.0.0.1 --request-id rq-9");

        Assert.Equal((0, ""), (r.Code, r.Err));
        var sent = _server.Script.Last<CreateNetworkRequest>();
        Assert.Equal(("rq-9", "ten-1", "front", "10.0.0.0/24", "10.0.0.1"), (sent.RequestId, sent.TenantId, sent.Name, sent.Subnets[0].Cidr, sent.Subnets[0].Gateway));
        Assert.StartsWith("ID     NAME   TENANT  SUBNETS      MTU   REVISION", r.Out);
        Assert.Contains("net-1  front  ten-1   10.0.0.0/24  1450  5", r.Out);
    }

    [Fact]
    public async Task JsonOutput_IsTheResponseAsProtobufJson()
    {
        var r = await Run("network create -t ten-1 -n front -o json");
        Assert.Equal(0, r.Code);
        var parsed = Google.Protobuf.JsonParser.Default.Parse<Network>(r.Out.Trim());
        Assert.Equal(("net-1", "front", 5L), (parsed.Meta.Id, parsed.Meta.Name, parsed.Meta.Revision));
    }

    [Fact]
    public async Task InvalidArgument_ExitsThreeWithFieldViolations()
    {
        var r = await Run("network create -t ten-1 -n bad --subnet nonsense");
        Assert.Equal(ExitCodes.InvalidArgument, r.Code);
        Assert.Equal("error: invalid argument: 1 field is invalid\nerror: invalid argument: subnets[0].cidr: must be a CIDR such as 10.0.0.0/24\n", r.Err.Replace("\r\n", "\n"));
        Assert.Equal("", r.Out);
    }

    [Fact]
    public async Task AlreadyExists_ExitsFive()
    {
        var r = await Run("network create -t ten-1 -n taken");
        Assert.Equal((ExitCodes.AlreadyExists, "error: already exists: network 'taken' already exists in tenant ten-1\n"), (r.Code, r.Err.Replace("\r\n", "\n")));
    }

    [Fact]
    public async Task NotFound_ExitsFourNamingTheResource()
    {
        var r = await Run("network get net-404");
        Assert.Equal((ExitCodes.NotFound, "error: not found: network 'net-404' does not exist\n"), (r.Code, r.Err.Replace("\r\n", "\n")));
    }

    [Fact]
    public async Task Token_FromEnvironment_IsSentAsBearer()
    {
        _server.Script.RequiredToken = "s3cret";
        var denied = await Run("network list");
        var allowed = await Run("network list", h => h with { Environment = new Dictionary<string, string> { ["INFRA_TOKEN"] = "s3cret" } });

        Assert.Equal(ExitCodes.Unauthorized, denied.Code);
        Assert.StartsWith("error: unauthenticated: missing or unknown bearer token;", denied.Err);
        Assert.Equal(0, allowed.Code);
        Assert.Equal("Bearer s3cret", _server.Script.Authorization.Last());
        Assert.Contains("more results: add --page-token p2", allowed.Out);
    }

    [Fact]
    public async Task Timeout_ExitsEightWithDeadlineMessage()
    {
        var r = await Run("network list --tenant slow --timeout 200ms");
        Assert.Equal(ExitCodes.Unavailable, r.Code);
        Assert.StartsWith($"error: deadline exceeded after 200ms waiting for the controller at {_server.Address}; raise --timeout", r.Err);
    }

    [Fact]
    public async Task UnreachableController_ExitsEightNamingTheUrl()
    {
        // A port that was just free: bind, note it, release it.
        var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        var r = await Run("tenant list", controller: $"127.0.0.1:{port}");

        Assert.Equal(ExitCodes.Unavailable, r.Code);
        Assert.StartsWith($"error: cannot reach the controller at http://127.0.0.1:{port}:", r.Err);
        Assert.Contains("--controller URL, env INFRA_CONTROLLER", r.Err);
        Assert.Single(r.Err.Trim().Split('\n'));
    }

    [Fact]
    public async Task PolicyRuleAdd_RetriesConflictWithFreshRevision()
    {
        _server.Script.AbortFirstPolicyUpdates = 1;
        var r = await Run("policy rule add pol-1 --direction ingress --protocol tcp --ports 443 --remote-cidr 0.0.0.0/0");

        Assert.Equal((0, ""), (r.Code, r.Err));
        var updates = _server.Script.Requests.OfType<UpdatePolicyRequest>().ToList();
        Assert.Equal([10L, 11L], updates.Select(u => u.ExpectedRevision));
        Assert.Equal(["r1", ""], updates[1].Rules.Select(x => x.Id));
        Assert.Equal(443u, updates[1].Rules[1].PortMin);
        Assert.Contains("r2    INGRESS    TCP       any  443    0.0.0.0/0", r.Out);
    }

    [Fact]
    public async Task PolicyRuleRemove_UnknownRule_ExitsFourWithoutUpdating()
    {
        var r = await Run("policy rule remove pol-1 r9");
        Assert.Equal(ExitCodes.NotFound, r.Code);
        Assert.Equal("error: policy pol-1 has no rule r9 (rules: r1)\n", r.Err.Replace("\r\n", "\n"));
        Assert.Empty(_server.Script.Requests.OfType<UpdatePolicyRequest>());
    }

    [Fact]
    public async Task VolumeExport_ToFile_VerifiesSha256()
    {
        _server.Script.ExportImage = RandomNumberGenerator.GetBytes(300_000);
        var path = Path.Combine(_dir.Path, "vol.raw");

        var r = await Run($"volume export vol-1 --file {path} --chunk-size 65536");

        Assert.Equal(0, r.Code);
        Assert.Equal(_server.Script.ExportImage, await File.ReadAllBytesAsync(path));
        Assert.Contains($"exported vol-1 to {path}: 300000 bytes, sha256 {Convert.ToHexStringLower(SHA256.HashData(_server.Script.ExportImage))} (verified)", r.Out);
        Assert.Contains("100%", r.Err); // the progress bar reached the end
        Assert.False(File.Exists(path + ".partial"));
    }

    [Fact]
    public async Task VolumeExport_ToStdout_KeepsTextOffTheImage()
    {
        _server.Script.ExportImage = RandomNumberGenerator.GetBytes(70_000);
        var stdout = new MemoryStream();
        var r = await Run("volume export --snapshot snap-1 --no-progress", h => h with { OpenStdout = () => stdout });

        Assert.Equal(0, r.Code);
        Assert.Equal(_server.Script.ExportImage, stdout.ToArray());
        Assert.Equal("", r.Out);
        Assert.StartsWith("exported snap-1 to stdout: 70000 bytes", r.Err);
    }

    [Fact]
    public async Task VolumeExport_ChecksumMismatch_FailsAndLeavesNoFile()
    {
        _server.Script.ExportImage = RandomNumberGenerator.GetBytes(10_000);
        _server.Script.CorruptExportChecksum = true;
        var path = Path.Combine(_dir.Path, "bad.raw");

        var r = await Run($"volume export vol-1 -f {path} --no-progress");

        Assert.Equal(ExitCodes.Unexpected, r.Code);
        Assert.StartsWith("error: sha256 mismatch: the controller sent 0000", r.Err);
        Assert.False(File.Exists(path));
        Assert.False(File.Exists(path + ".partial"));
    }

    [Fact]
    public async Task VolumeExport_StreamBreaksMidway_ExitsEightAndLeavesNoFile()
    {
        _server.Script.ExportImage = RandomNumberGenerator.GetBytes(100_000);
        _server.Script.BreakExportAfterChunks = 2;
        var path = Path.Combine(_dir.Path, "half.raw");

        var r = await Run($"volume export vol-1 -f {path} --chunk-size 16384 --no-progress");

        Assert.Equal(ExitCodes.Unavailable, r.Code);
        Assert.StartsWith("error: unavailable: host agent went away", r.Err); // the controller answered: the agent is what went away
        Assert.False(File.Exists(path));
        Assert.False(File.Exists(path + ".partial"));
    }

    [Fact]
    public async Task Watch_ControllerUnreachableAtStart_FailsAtOnce()
    {
        var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        var r = await Run("watch", controller: $"http://127.0.0.1:{port}");

        Assert.Equal(ExitCodes.Unavailable, r.Code);
        Assert.DoesNotContain("reconnecting", r.Err);
    }

    [Fact]
    public async Task ImageImport_StreamsFileWithLocalSha256InHeader()
    {
        var bytes = RandomNumberGenerator.GetBytes(2_500_000); // three chunks
        var path = _dir.Write("disk.raw", "");
        await File.WriteAllBytesAsync(path, bytes);

        var r = await Run($"image import {path} --tenant ten-1 --name debian --format raw -o json");

        Assert.Equal(0, r.Code);
        var header = _server.Script.Last<ImportImageHeader>();
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        Assert.Equal(("debian", "ten-1", DiskFormat.Raw, 2_500_000UL, sha, "req-1"), (header.Name, header.TenantId, header.Format, header.SizeBytes, header.Sha256, header.RequestId));
        var image = Google.Protobuf.JsonParser.Default.Parse<Image>(r.Out.Trim());
        Assert.Equal(sha, image.Sha256);
        Assert.Contains("100%", r.Err);
    }

    [Fact]
    public async Task ImageImport_MissingFile_IsAUsageError()
    {
        var r = await Run($"image import {Path.Combine(_dir.Path, "nope.raw")} --name x");
        Assert.Equal(ExitCodes.Usage, r.Code);
        Assert.Contains("does not exist", r.Err);
    }

    [Fact]
    public async Task Watch_ResumesFromLastRevisionAfterTheStreamBreaks()
    {
        var r = await Run("watch --kind instance --count 3");

        Assert.Equal(0, r.Code);
        Assert.Equal(["1 CREATED instance i-1 web RUNNING", "2 UPDATED instance i-1 web RUNNING", "3 UPDATED instance i-1 web RUNNING"],
            r.Out.Trim().Split('\n').Select(l => l.TrimEnd('\r')));
        Assert.Contains("watch: controller restarting; reconnecting from revision 2 (1/10)", r.Err);
        var watches = _server.Script.Requests.OfType<WatchRequest>().ToList();
        Assert.Equal([0L, 2L], watches.Select(w => w.StartRevision));
        Assert.All(watches, w => Assert.Equal([ResourceKind.Instance], w.Kinds));
    }

    [Fact]
    public async Task Watch_JsonLines_IncludeBookmarks_AndTimeoutEndsCleanly()
    {
        var r = await Run("watch --from 5 -o json --timeout 1500ms");

        Assert.Equal(0, r.Code);
        var events = r.Out.Trim().Split('\n').Select(l => Google.Protobuf.JsonParser.Default.Parse<WatchEvent>(l)).ToList();
        // 6, 7, then the break, then 8, 9 and a bookmark at 9 from the resumed stream.
        Assert.Equal([6L, 7L, 8L, 9L, 9L], events.Select(e => e.Revision));
        Assert.Equal(EventType.Bookmark, events[^1].Type);
    }
}
