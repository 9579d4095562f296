using Infra.Controller.Api.Tests.Support;
using Grpc.Core;
using Grpc.Net.Client;
using Infra.V1;

namespace Infra.Controller.Api.Tests;

/// <summary>The real daemon process: flags, ready file, auth, crash safety, clean stop, bad config.</summary>
public sealed class DaemonTests : IDisposable
{
    const string Token = "daemon-test-token-0123456789";
    readonly string _dir = Path.Combine(Path.GetTempPath(), "infra-daemon-" + Guid.NewGuid().ToString("N"));

    public DaemonTests()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "tokens"), "# tokens\n" + Token + "\n");
        File.WriteAllText(Path.Combine(_dir, "controller.yaml"), $"image_directory: {_dir}/images\n");
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    string[] Args(string ready) =>
    [
        "--config", Path.Combine(_dir, "controller.yaml"), "--listen", "127.0.0.1:0", "--ready-file", ready,
        "--store", "sqlite:" + Path.Combine(_dir, "state.db"), "--token-file", Path.Combine(_dir, "tokens"),
    ];

    GrpcChannel Channel(string url) => GrpcChannel.ForAddress(url, new GrpcChannelOptions { Credentials = ChannelCredentials.Create(ChannelCredentials.Insecure, CallCredentials.FromInterceptor((_, m) => { m.Add("authorization", "Bearer " + Token); return Task.CompletedTask; })), UnsafeUseInsecureChannelCallCredentials = true });

    [Fact]
    public async Task Daemon_KilledWithSigkill_RestartsOnSameDb_WithEveryAcknowledgedCreate()
    {
        var acknowledged = new List<string>();
        using (var d = DaemonProcess.Start(Args(Path.Combine(_dir, "ready1"))))
        {
            var url = await d.WaitReadyAsync(Path.Combine(_dir, "ready1"));
            Assert.Matches(@"^http://127\.0\.0\.1:\d+$", url);
            using var ch = Channel(url);
            // Health answers without a token, per service and overall.
            using (var open = GrpcChannel.ForAddress(url))
            {
                var health = new Grpc.Health.V1.Health.HealthClient(open);
                foreach (var service in new[] { "", "infra.v1.Tenants", "infra.v1.Changes" })
                    Assert.Equal(Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving,
                        (await health.CheckAsync(new Grpc.Health.V1.HealthCheckRequest { Service = service })).Status);
            }
            var tenants = new Tenants.TenantsClient(ch);
            for (var i = 0; i < 15; i++) acknowledged.Add((await tenants.CreateTenantAsync(new CreateTenantRequest { Name = $"t{i}" })).Meta.Id);
            using var anonymous = GrpcChannel.ForAddress(url);
            var e = await Assert.ThrowsAsync<RpcException>(() => new Tenants.TenantsClient(anonymous).ListTenantsAsync(new ListTenantsRequest()).ResponseAsync);
            Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
            d.Process.Kill(); // SIGKILL: no shutdown code runs
            await d.Process.WaitForExitAsync();
        }
        using (var d = DaemonProcess.Start(Args(Path.Combine(_dir, "ready2"))))
        {
            var url = await d.WaitReadyAsync(Path.Combine(_dir, "ready2"));
            using var ch = Channel(url);
            var list = await new Tenants.TenantsClient(ch).ListTenantsAsync(new ListTenantsRequest { Page = new PageRequest { PageSize = 100 } });
            Assert.Equal(acknowledged.Order(StringComparer.Ordinal), list.Tenants.Select(t => t.Meta.Id).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task Daemon_Sigterm_StopsCleanlyWithExitCodeZero()
    {
        using var d = DaemonProcess.Start(Args(Path.Combine(_dir, "ready")));
        await d.WaitReadyAsync(Path.Combine(_dir, "ready"));
        using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", d.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await d.Process.WaitForExitAsync(cts.Token);
        Assert.Equal(0, d.Process.ExitCode);
        Assert.Contains("stopping", d.Output);
    }

    [Fact]
    public async Task Daemon_BadConfig_ExitsWithCode2ListingEveryError()
    {
        File.WriteAllText(Path.Combine(_dir, "bad.yaml"), "placement:\n  cpu_overcommit: 0.5\n");
        using var d = DaemonProcess.Start("--config", Path.Combine(_dir, "bad.yaml"), "--listen", "nowhere", "--store", "mysql:x", "--bogus");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await d.Process.WaitForExitAsync(cts.Token);
        Assert.Equal(2, d.Process.ExitCode);
        var output = d.Output;
        Assert.Contains("--bogus", output);
        Assert.Contains("listen:", output);
        Assert.Contains("store:", output);
        Assert.Contains("cpu overcommit", output);
        Assert.Contains("no tokens configured", output);
    }

    [Fact]
    public async Task Daemon_PlaintextListenerOnNonLoopback_ExitsWithCode2SayingHowToFix()
    {
        File.WriteAllText(Path.Combine(_dir, "plain.yaml"), "tokens: [abcdefghijklmnop1234]\n");
        using var d = DaemonProcess.Start("--config", Path.Combine(_dir, "plain.yaml"), "--listen", "0.0.0.0:0", "--store", "sqlite:" + Path.Combine(_dir, "p.db"));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await d.Process.WaitForExitAsync(cts.Token);
        Assert.Equal(2, d.Process.ExitCode);
        Assert.Contains("listen: 0.0.0.0:0 is not a loopback address", d.Output);
        Assert.Contains("set tls.cert_file and tls.key_file", d.Output);
    }
}
