using FsCheck;
using FsCheck.Fluent;
using Infra.Flows.Flows;
using Infra.Flows.Pipeline;

namespace Infra.Flows.Tests.Properties;

/// <summary>Invariants that hold for every valid host state, checked on random ones with FsCheck.</summary>
public sealed class FlowSetProperties
{
    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(150);
    private static readonly Arbitrary<int> Seeds = Arb.From(Gen.Choose(0, int.MaxValue));

    [Fact]
    public void EveryCookie_NamesAnOwnerPresentInTheInput() =>
        Check.One(Config, Prop.ForAll(Seeds, seed =>
        {
            var s = RandomStates.Make(seed);
            var owners = new HashSet<ulong> { Cookies.Base };
            foreach (var t in s.Tenants) { owners.Add(Cookies.Tenant(t.TunnelKey)); owners.Add(Cookies.Policy(t.TunnelKey)); }
            foreach (var p in s.LocalPorts) owners.Add(Cookies.Port(p.Id));
            foreach (var p in s.RemotePorts) owners.Add(Cookies.Port(p.Id));
            foreach (var p in s.Peers) owners.Add(Cookies.Tunnel(p.HostId));
            return FlowCompiler.Compile(s).Flows.All(f => owners.Contains(f.Cookie));
        }));

    [Fact]
    public void NoFlow_SendsBroadcastOrMulticastOrTunnelTrafficIntoATunnel() =>
        Check.One(Config, Prop.ForAll(Seeds, seed =>
        {
            var s = RandomStates.Make(seed);
            var tunnels = s.Peers.Select(p => p.TunnelOfPort).ToHashSet();
            return FlowCompiler.Compile(s).Flows
                .Where(f => f.Actions.Any(a => a is OutputPort o && tunnels.Contains(o.OfPort)))
                .All(f => f.Match.OfType<EthDstMatch>().SingleOrDefault() is { Mask: null } dst && !dst.Mac.IsMulticast
                          && f.Match.Contains(new RegMatch(Regs.Origin, Regs.FromVm)));
        }));

    [Fact]
    public void Output_IsDeterministic_WhateverTheInputOrder() =>
        Check.One(Config, Prop.ForAll(Seeds, seed =>
        {
            var s = RandomStates.Make(seed);
            return FlowCompiler.Compile(s).Render() == FlowCompiler.Compile(RandomStates.Shuffle(s, seed ^ 0x5bd1e995)).Render();
        }));

    [Fact]
    public void EveryOwnedFlowAfterClassify_IsScopedToATenantOrAPort() =>
        Check.One(Config, Prop.ForAll(Seeds, seed =>
            FlowCompiler.Compile(RandomStates.Make(seed)).Flows
                .Where(f => f.Table != Tables.Classify && f.Cookie != Cookies.Base)
                .All(f => f.Match.Any(m => m is RegMatch { Reg: Regs.Tenant or Regs.SourcePort }))));

    [Fact]
    public void EveryConjunction_HasEveryClause_AndAConjIdFlow() =>
        Check.One(Config, Prop.ForAll(Seeds, seed =>
        {
            var flows = FlowCompiler.Compile(RandomStates.Make(seed)).Flows;
            foreach (var table in new[] { Tables.EgressPolicy, Tables.IngressPolicy })
            foreach (var tenant in flows.Where(f => f.Table == table && f.Cookie >> 56 == (ulong)OwnerKind.Policy).GroupBy(f => f.Cookie))
            {
                var clauses = tenant.SelectMany(f => f.Actions.OfType<ConjunctionAction>()).GroupBy(c => c.Id);
                var conjIds = tenant.SelectMany(f => f.Match.OfType<ConjIdMatch>()).Select(m => m.Id).ToHashSet();
                foreach (var c in clauses)
                {
                    var n = c.First().Clauses;
                    if (n < 2 || c.Any(x => x.Clauses != n)) return false;
                    if (c.Select(x => x.Clause).Distinct().Count() != n) return false;
                    if (!conjIds.Contains(c.Key)) return false;
                }
            }
            return true;
        }));
}
