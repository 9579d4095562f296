using Infra.Flows.Flows;
using Infra.Flows.Model;

namespace Infra.Flows.Tests;

/// <summary>Small host states for unit tests, built with `with` from a one-port base.</summary>
internal static class States
{
    public static readonly TenantInfo T1 = new("t1", 5001, 1);
    public static readonly TenantInfo T2 = new("t2", 5002, 2);

    public static LocalPort Local(string id, int ofport, string mac, string[] addrs, string tenant = "t1", params string[] policies) =>
        new(id, tenant, ofport, mac, addrs, policies);

    public static RemotePort Remote(string id, string host, string mac, string[] addrs, string tenant = "t1", params string[] policies) =>
        new(id, tenant, mac, addrs, host, policies);

    public static HostState OnePort() => new(
        new HostInfo("h1", "192.0.2.1"),
        [T1],
        [Local("p1", 1, "fa:16:3e:00:00:01", ["10.0.0.1"])],
        [], [], []);

    public static HostState CrossHost() => OnePort() with
    {
        RemotePorts = [Remote("p2", "h2", "fa:16:3e:00:00:02", ["10.0.0.2"])],
        Peers = [new Peer("h2", 100), new Peer("h3", 101)],
    };

    public static FlowSet Compile(HostState s) => FlowCompiler.Compile(s);

    public static IEnumerable<Flow> InTable(this FlowSet f, byte table) => f.Flows.Where(x => x.Table == table);

    public static IEnumerable<string> Lines(this IEnumerable<Flow> flows) => flows.Select(f => f.Render());
}
