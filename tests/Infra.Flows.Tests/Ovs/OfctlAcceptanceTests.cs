using Infra.Flows.Flows;

namespace Infra.Flows.Tests.Ovs;

/// <summary>
/// The real ovs-ofctl parser and ovs-vswitchd accept every golden flow set as one bundle, and what
/// the switch then holds is exactly our flows (same count, same cookies per table).
/// </summary>
public sealed class OfctlAcceptanceTests
{
    [Fact]
    public void AddFlowsBundle_EveryGoldenScenario_IsAcceptedByRealOvs()
    {
        Assert.True(File.Exists("/usr/sbin/ovs-vswitchd"), "openvswitch-switch is not installed; run tests/setup-host.sh");
        using var ovs = new PrivateOvs();
        foreach (var scenario in Directory.GetDirectories(Golden.TestData.SourceDir()).Select(Path.GetFileName).Order())
        {
            var flows = FlowCompiler.Compile(Golden.TestData.Load(scenario!));
            var file = Path.Combine(ovs.Dir, scenario + ".flows");
            File.WriteAllText(file, flows.Render());

            var (code, _, err) = PrivateOvs.Exec("ovs-ofctl", $"-O OpenFlow15 --bundle replace-flows {ovs.OpenFlowTarget} {file}");
            Assert.True(code == 0, $"{scenario}: ovs-ofctl rejected the flows: {err}");

            var (dumpCode, dump, dumpErr) = PrivateOvs.Exec("ovs-ofctl", $"-O OpenFlow15 --no-stats dump-flows {ovs.OpenFlowTarget}");
            Assert.True(dumpCode == 0, dumpErr);
            var installed = dump.Split('\n').Where(l => l.Contains("cookie=")).Select(CookieAndTable).Order().ToList();
            var wanted = flows.Flows.Select(f => ($"0x{f.Cookie:x}", (int)f.Table)).Order().ToList();
            Assert.Equal(wanted, installed);
        }
    }

    private static (string Cookie, int Table) CookieAndTable(string line)
    {
        string Field(string name)
        {
            var i = line.IndexOf(name + "=", StringComparison.Ordinal);
            if (i < 0) return "0";
            var start = i + name.Length + 1;
            var end = line.IndexOfAny([',', ' '], start);
            return line[start..(end < 0 ? line.Length : end)];
        }
        return (Field("cookie"), int.Parse(Field("table")));
    }
}
