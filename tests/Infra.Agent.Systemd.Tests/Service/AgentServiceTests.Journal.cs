using Infra.V1;
using static Infra.Agent.Systemd.Tests.Fixture.AgentServiceRoot;
using static Infra.Agent.Tests.Support.Resources;

namespace Infra.Agent.Systemd.Tests.Service;

public sealed partial class AgentServiceTests
{
    [Fact]
    public async Task Journal_FilesEachLineAtItsLevelsPriority_SoErrorsAndWarningsAreFoundByPriority()
    {
        // An error (a damaged persisted state) and a warning (a volume whose base image is missing).
        var broken = new Resource { Volume = new VolumeSpec { Id = "volbad", SizeBytes = 64 << 20, BaseImageId = "no-such-image", Backend = new VolumeBackend { Local = new LocalBackend { Format = DiskFormat.Qcow2 } } } };
        await host.StartFreshAsync(Serve(() => Full(1, broken)),
            beforeStart: () => File.WriteAllText(host.HostPath(StateDir + "/desired-state.pb"), "not a desired state"));
        var run = host.Show(Agent, "InvocationID");
        await WaitStatusAsync(1, s => VolumeIs(s, "volbad", VolumeState.Error), full: false, "volbad reported ERROR");

        // journald read the "<N>" prefix of each stdout line into PRIORITY and stripped it from MESSAGE.
        (string Message, string Priority) Line(string eventTag)
        {
            var entries = host.JournalOfRun(Agent, run).Where(e => Field(e, "_SYSTEMD_INVOCATION_ID") == run) // the agent's own lines
                .Select(e => (Message: Field(e, "MESSAGE") ?? "", Priority: Field(e, "PRIORITY") ?? "")).ToList();
            return entries.FirstOrDefault(e => e.Message.StartsWith(eventTag, StringComparison.Ordinal)) is { Message.Length: > 0 } hit ? hit
                : throw new Xunit.Sdk.XunitException($"no journal line starting {eventTag}; the run logged:\n{string.Join("\n", entries.Select(e => $"{e.Priority} {e.Message}"))}");
        }
        var error = Line("Infra.Agent.Hosting.AgentHost[1002] Persisted desired state unusable");
        var warning = Line("Infra.Agent.Core.Apply.ApplyLoop[5003] Desired state v1: 1 object(s) failed");
        var info = Line("Infra.Agent.Hosting.AgentService[1010] infra-agent started");
        var debug = Line("Microsoft.Extensions.Hosting.Internal.Host[1] Hosting starting"); // log_level: debug in this config
        Assert.Equal(("3", "4", "6", "7"), (error.Priority, warning.Priority, info.Priority, debug.Priority));
        Assert.Contains("volbad", warning.Message);
        // What an operator types: only warnings and worse.
        var worse = host.Root.Exec("journalctl", "--no-pager", "-o", "cat", "-p", "warning", "-u", Agent, $"_SYSTEMD_INVOCATION_ID={run}");
        Assert.Contains("Persisted desired state unusable", worse);
        Assert.Contains("object(s) failed", worse);
        Assert.DoesNotContain("infra-agent started", worse);
    }
}
