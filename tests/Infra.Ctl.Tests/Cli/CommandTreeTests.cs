using Google.Protobuf.Reflection;
using Infra.Ctl.Errors;
using Infra.Ctl.Tests.Support;
using Infra.V1;

namespace Infra.Ctl.Tests.Cli;

public sealed class CommandTreeTests
{
    static readonly ServiceDescriptor[] Northbound =
        [Tenants.Descriptor, Networks.Descriptor, Policies.Descriptor, Ports.Descriptor, Instances.Descriptor, Volumes.Descriptor, Images.Descriptor, Hosts.Descriptor, Changes.Descriptor, Audit.Descriptor];

    [Fact]
    public void EveryNorthboundRpc_HasACommand()
    {
        var app = new CtlApp(TestHosts.Create());
        var missing = Northbound.SelectMany(s => s.Methods).Select(m => $"/{m.Service.FullName}/{m.Name}")
            .Where(m => !app.Kit.CoveredMethods.Contains(m)).ToList();
        Assert.Empty(missing);
    }

    static async Task<(int Code, string Out, string Err)> Run(string line)
    {
        var (o, e) = (new StringWriter(), new StringWriter());
        var code = await CtlRunner.RunAsync(TestHosts.Args(line), TestHosts.Create(o, e));
        return (code, o.ToString(), e.ToString());
    }

    [Theory]
    [InlineData("frobnicate", "error: Unrecognized command or argument 'frobnicate'.")]
    [InlineData("network", "error: Required command was not provided.")]
    [InlineData("network create --tenant t", "error: Option '--name' is required.")]
    [InlineData("tenant list --output yaml", "error: Argument 'yaml' not recognized. Must be one of:")]
    [InlineData("tenant list --timeout soon", "error: --timeout 'soon' is not a positive duration")]
    [InlineData("instance create -t t -n vm --vcpus two --cpu-mhz 1 --memory 1 --image i", "error: Cannot parse argument 'two' for option '--vcpus'")]
    public async Task UsageErrors_ExitTwoWithAnErrorLine(string line, string message)
    {
        var (code, output, err) = await Run(line);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.StartsWith("error: ", err);
        Assert.Contains(message, err);
        Assert.Equal("", output);
    }

    [Fact]
    public async Task Help_ExitsZeroAndListsVerbs()
    {
        var (code, output, _) = await Run("instance --help");
        Assert.Equal(0, code);
        foreach (var verb in new[] { "create", "get", "list", "start", "stop", "reboot", "pause", "resume", "resize", "attach-volume", "detach-volume", "snapshot", "delete" })
            Assert.Contains($"  {verb}", output);
    }
}
