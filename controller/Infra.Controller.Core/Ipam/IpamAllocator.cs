using System.Net;
using Infra.Store;
using SubnetSpec = Infra.Controller.Domain.Commands.SubnetSpec;

namespace Infra.Controller.Core.Ipam;

/// <summary>
/// Address and MAC allocation kept in the store, one key per allocated item:
///   {root}net/{networkId}/{v4|v6}/{address} = owner    {root}mac/{mac} = owner
/// An item is taken with a txn "create if absent", so two controllers (or two requests in one) can
/// never both get it: the loser retries with a fresh view. State lives only in the store, so a restart
/// loses nothing and needs no rebuild. Keys are per network, so tenants may use overlapping ranges.
/// </summary>
public sealed class IpamAllocator(IKeyValueStore store, MacPolicy? macPolicy = null, string root = "/ipam/")
{
    const int MaxAttempts = 64;
    readonly MacPolicy _mac = macPolicy ?? MacPolicy.Default;

    static string Family(bool v4) => v4 ? "v4" : "v6";
    string NetPrefix(string networkId, bool v4) => $"{root}net/{networkId}/{Family(v4)}/";
    string AddressKey(string networkId, IPAddress a) =>
        NetPrefix(networkId, a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork) + a;
    string MacKey(string mac) => $"{root}mac/{mac}";

    /// <summary>Allocate any free address of the subnet to <paramref name="owner"/> (e.g. a port id).</summary>
    public async Task<IpamResult> AllocateAsync(string networkId, SubnetSpec subnet, string owner, CancellationToken ct = default)
    {
        // The subnet is the domain's, validated when the network was created: nothing to check here.
        var rng = System.Random.Shared;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            IPAddress? candidate;
            if (subnet.HostBits <= AddressPicker.ScanLimitBits)
            {
                var taken = await TakenAsync(networkId, subnet, ct).ConfigureAwait(false);
                // After a lost race, step over a few free addresses so racing allocators stop colliding.
                candidate = AddressPicker.LowestFree(subnet, taken, attempt == 0 ? 0 : rng.Next(0, Math.Min(attempt * 2, 32)));
                if (candidate is null)
                    return new(IpamOutcome.Exhausted, Error: $"subnet {subnet.Cidr} of network {networkId} has no free address ({taken.Count} in use); add a subnet or release ports");
            }
            else
            {
                candidate = AddressPicker.Random(subnet, rng);
            }
            if (await TryTakeAsync(AddressKey(networkId, candidate), owner, ct).ConfigureAwait(false))
                return IpamResult.Of(candidate);
        }
        return new(IpamOutcome.Contended, Error: $"network {networkId}: gave up after {MaxAttempts} conflicting attempts; retry the request");
    }

    /// <summary>Allocate a specific address (a fixed IP the user asked for).</summary>
    public async Task<IpamResult> AllocateSpecificAsync(string networkId, SubnetSpec subnet, IPAddress address, string owner, CancellationToken ct = default)
    {
        if (!subnet.IsAssignable(address))
            return new(IpamOutcome.Invalid, Error: $"{address} cannot be assigned in {subnet.Cidr} (outside it, or its network, broadcast, gateway or a reserved address)");
        var key = AddressKey(networkId, address);
        if (await TryTakeAsync(key, owner, ct).ConfigureAwait(false)) return IpamResult.Of(address);
        var holder = await store.GetAsync(key, ct).ConfigureAwait(false);
        return holder?.ValueString == owner
            ? IpamResult.Of(address) // idempotent: the same owner asked again
            : new(IpamOutcome.AlreadyInUse, Error: $"{address} in network {networkId} is already used by {holder?.ValueString ?? "another port"}");
    }

    /// <summary>Release an address; only its owner's release counts (a stale release is a no-op). True if freed.</summary>
    public Task<bool> ReleaseAsync(string networkId, IPAddress address, string owner, CancellationToken ct = default) =>
        ReleaseKeyAsync(AddressKey(networkId, address), owner, ct);

    /// <summary>Addresses in use in the subnet, with their owners.</summary>
    public async Task<IReadOnlyDictionary<IPAddress, string>> ListAsync(string networkId, SubnetSpec subnet, CancellationToken ct = default)
    {
        var prefix = NetPrefix(networkId, subnet.IsV4);
        var kvs = await store.GetPrefixAsync(prefix, ct).ConfigureAwait(false);
        return kvs.ToDictionary(kv => IPAddress.Parse(kv.KeyString[prefix.Length..]), kv => kv.ValueString);
    }

    public async Task<MacResult> AllocateMacAsync(string owner, CancellationToken ct = default)
    {
        if (_mac.Validate() is { Count: > 0 } errors) return new(IpamOutcome.Invalid, Error: string.Join("; ", errors));
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var mac = _mac.Draw(System.Random.Shared);
            if (await TryTakeAsync(MacKey(mac), owner, ct).ConfigureAwait(false)) return new(IpamOutcome.Allocated, mac);
        }
        return new(IpamOutcome.Exhausted, Error: $"no free MAC after {MaxAttempts} draws under prefix {MacPolicy.Format(_mac.Prefix)}; use a shorter MAC prefix");
    }

    public Task<bool> ReleaseMacAsync(string mac, string owner, CancellationToken ct = default) =>
        ReleaseKeyAsync(MacKey(mac), owner, ct);

    async Task<HashSet<IPAddress>> TakenAsync(string networkId, SubnetSpec subnet, CancellationToken ct)
    {
        var prefix = NetPrefix(networkId, subnet.IsV4);
        var r = await store.RangeAsync(new RangeRequest(Keys.Of(prefix), Keys.PrefixEnd(prefix), KeysOnly: true), ct).ConfigureAwait(false);
        return r.Kvs.Select(kv => IPAddress.Parse(kv.KeyString[prefix.Length..])).ToHashSet();
    }

    async Task<bool> TryTakeAsync(string key, string owner, CancellationToken ct)
    {
        var r = await store.TxnAsync(new TxnRequest([Compare.Absent(key)], [PutRequest.Of(key, owner)]), ct).ConfigureAwait(false);
        return r.Succeeded;
    }

    async Task<bool> ReleaseKeyAsync(string key, string owner, CancellationToken ct)
    {
        var r = await store.TxnAsync(new TxnRequest([Compare.ValueIs(key, CompareResult.Equal, owner)], [DeleteRangeRequest.Single(key)]), ct).ConfigureAwait(false);
        return r.Succeeded;
    }
}
