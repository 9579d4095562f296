using System.Diagnostics;
using System.Text.Json;
using Infra.Controller.Southbound.Tests.Support;
using Infra.V1;

namespace Infra.Controller.Southbound.Tests.Integration;

/// <summary>The session against an independent gRPC implementation: Python grpcio (Debian's python3-grpcio) as the agent.</summary>
public sealed class GrpcioAgentTests
{
    const string Python = "/usr/bin/python3";

    [Fact]
    public async Task GrpcioAgent_GetsWelcomeAndFullState_AndItsAckIsRecorded()
    {
        await using var server = await SouthboundServer.StartAsync();
        await Seed.TenantAsync(server.Store);
        await Seed.VmAsync(server.Store, "i1", "p1", "py-host", 1);
        var dir = Directory.CreateTempSubdirectory("infra-southbound-py-").FullName;
        try
        {
            var baseDir = AppContext.BaseDirectory;
            // Debian's grpc_tools bundles protoc 3.5, which predates proto3 `optional`; dropping the
            // label keeps field numbers and types (the wire format) and only loses presence tracking
            // of CreateInstanceRequest.start, which the session never carries.
            var protos = Path.Combine(dir, "protos", "infra", "v1");
            Directory.CreateDirectory(protos);
            foreach (var f in Directory.GetFiles(Path.Combine(baseDir, "protos", "infra", "v1"), "*.proto"))
                File.WriteAllText(Path.Combine(protos, Path.GetFileName(f)), File.ReadAllText(f).Replace("  optional ", "  "));
            await RunAsync(dir, "-m", "grpc_tools.protoc", "-I", Path.Combine(dir, "protos"), "--python_out=" + dir, "--grpc_python_out=" + dir,
                "infra/v1/common.proto", "infra/v1/console.proto", "infra/v1/hosts.proto", "infra/v1/instances.proto", "infra/v1/ports.proto",
                "infra/v1/volumes.proto", "infra/v1/southbound.proto");
            var output = await RunAsync(dir, Path.Combine(baseDir, "Python", "agent.py"), server.Address.Replace("http://", ""), "py-host", "127.0.0.21");

            using var json = JsonDocument.Parse(output);
            var r = json.RootElement;
            Assert.Equal("ctl-test", r.GetProperty("welcome").GetProperty("controllerId").GetString());
            Assert.Equal(1, r.GetProperty("version").GetInt32());
            Assert.True(r.GetProperty("full").GetBoolean());
            Assert.Equal("i1", r.GetProperty("vms")[0].GetString());
            Assert.Equal(1000, r.GetProperty("ports").GetProperty("p1").GetInt32());
            Assert.True(r.GetProperty("flow_groups").GetInt32() >= 3);
            Assert.Equal("OK", r.GetProperty("code").GetString());
            await Eventually.StoreAsync(server.Store, Kinds.Host, "py-host", h => h.AppliedVersion == 1, "grpcio agent's ack");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Runs python3 to completion (killed by PID after 60 s); returns stdout, fails with stderr.</summary>
    static async Task<string> RunAsync(string workDir, params string[] args)
    {
        var psi = new ProcessStartInfo(Python) { WorkingDirectory = workDir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["PYTHONPATH"] = workDir;
        psi.Environment["GRPC_VERBOSITY"] = "ERROR";
        using var p = Process.Start(psi)!;
        try
        {
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await p.WaitForExitAsync(timeout.Token);
            if (p.ExitCode != 0) throw new Xunit.Sdk.XunitException($"python3 {string.Join(' ', args)} exited {p.ExitCode}:\n{await stderr}");
            return await stdout;
        }
        finally
        {
            if (!p.HasExited) p.Kill(entireProcessTree: true);
        }
    }
}
