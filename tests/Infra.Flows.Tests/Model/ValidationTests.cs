using Infra.Flows.Model;

namespace Infra.Flows.Tests.Model;

public sealed class ValidationTests
{
    [Fact]
    public void Compile_InconsistentState_ReportsEveryProblemAtOnce()
    {
        var s = States.OnePort() with
        {
            Tenants = [States.T1, new TenantInfo("t2", 5001, 0)],
            LocalPorts =
            [
                States.Local("p1", 1, "fa:16:3e:00:00:01", ["10.0.0.1"], "t1", "nope"),
                States.Local("p2", 1, "ff:ff:ff:ff:ff:ff", ["10.0.0.1", "banana"]),
            ],
            RemotePorts = [States.Remote("p3", "h9", "fa:16:3e:00:00:03", ["10.0.0.3"])],
            Policies = [new Policy("x", "t1", [new PolicyRule(Direction.Ingress, Protocol.Icmp, EtherType.V6, 1, 2, "10.0.0.0/8", "x")])],
        };
        var e = Assert.Throws<FlowCompilationException>(() => FlowCompiler.Compile(s));
        string[] expected =
        [
            "tenant t2: tunnel key 5001 is used by another tenant",
            "tenant t2: conntrack zone 0 is the shared default zone",
            "port p1: policy nope is not in Policies",
            "local port p2: ofport 1 is already used",
            "port p2: MAC ff:ff:ff:ff:ff:ff is multicast",
            "port p2: address 'banana' is not an IP address",
            "remote port p3: no peer entry for its host h9",
            "icmp needs ethertype v4",
            "a port range needs protocol tcp or udp",
            "give RemoteCidr or RemotePolicy, not both",
            "remote CIDR 10.0.0.0/8 is not of the rule's ethertype V6",
        ];
        foreach (var want in expected)
            Assert.Contains(e.Errors, err => err.Contains(want));
    }

    [Fact]
    public void Compile_SameAddressTwiceInATenant_IsRejected_ButFineAcrossTenants()
    {
        var clash = States.OnePort() with
        {
            LocalPorts = [States.Local("a", 1, "fa:16:3e:00:00:01", ["10.0.0.1"]), States.Local("b", 2, "fa:16:3e:00:00:02", ["10.0.0.1"])],
        };
        var e = Assert.Throws<FlowCompilationException>(() => FlowCompiler.Compile(clash));
        Assert.Contains(e.Errors, x => x.Contains("address 10.0.0.1 is used by ports a, b"));

        var apart = clash with
        {
            Tenants = [States.T1, States.T2],
            LocalPorts = [clash.LocalPorts[0], clash.LocalPorts[1] with { Tenant = "t2" }],
        };
        Assert.NotEmpty(FlowCompiler.Compile(apart).Flows);
    }

    [Fact]
    public void Json_RoundTrips_WithStringEnums()
    {
        var s = States.OnePort() with
        {
            Policies = [new Policy("p", "t1", [new PolicyRule(Direction.Egress, Protocol.Icmpv6, EtherType.V6)])],
        };
        var json = HostStateJson.Write(s);
        Assert.Contains("\"protocol\": \"icmpv6\"", json);
        Assert.Equal(FlowCompiler.Compile(s).Render(), FlowCompiler.Compile(HostStateJson.Parse(json)).Render());
    }
}
