using System.Net;
using SubnetSpec = Infra.Controller.Domain.Commands.SubnetSpec;

namespace Infra.Controller.Core.Ipam;

/// <summary>
/// Pure choice of the next address to try. Small subnets (up to 65,536 addresses: every IPv4 subnet
/// a tenant network would use, and small IPv6 ones) are scanned for the lowest free assignable address,
/// which keeps allocations dense and predictable. Large IPv6 subnets cannot be scanned; there a random
/// assignable address is drawn, and a clash (vanishingly rare in a /64) is just another retry.
/// </summary>
public static class AddressPicker
{
    public const int ScanLimitBits = 16;

    /// <summary>
    /// The lowest assignable address at or after offset <paramref name="skip"/> that is not in
    /// <paramref name="taken"/>; null when the subnet is exhausted. <paramref name="skip"/> lets
    /// concurrent allocators spread out instead of all racing for the same lowest address.
    /// </summary>
    public static IPAddress? LowestFree(SubnetSpec subnet, IReadOnlySet<IPAddress> taken, int skip = 0)
    {
        if (subnet.HostBits > ScanLimitBits) throw new ArgumentException($"subnet {subnet.Cidr} is too large to scan; use {nameof(Random)}", nameof(subnet));
        var size = (int)AddressMath.Size(subnet);
        IPAddress? firstFree = null;
        var seen = 0;
        for (var off = 1; off < size; off++)
        {
            var a = AddressMath.At(subnet, (UInt128)off);
            if (!subnet.IsAssignable(a) || !subnet.InRanges(a) || taken.Contains(a)) continue;
            firstFree ??= a;
            if (seen++ == skip) return a;
        }
        return firstFree; // fewer free addresses than skip: take the lowest
    }

    /// <summary>A random assignable address of a large (IPv6) subnet.</summary>
    public static IPAddress Random(SubnetSpec subnet, Random rng)
    {
        Span<byte> b = stackalloc byte[16];
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            rng.NextBytes(b);
            var r = new UInt128(BitConverter.ToUInt64(b[..8]), BitConverter.ToUInt64(b[8..]));
            IPAddress a;
            if (!subnet.AllocationRanges.IsDefaultOrEmpty)
            {
                // Draw inside one of the ranges: a small range in a /64 would almost never be hit otherwise.
                var (first, last) = subnet.AllocationRanges[rng.Next(subnet.AllocationRanges.Length)];
                var lo = AddressMath.ToNumber(first);
                var span = AddressMath.ToNumber(last) - lo;
                var pick = span == UInt128.MaxValue ? r : r % (span + 1);
                a = AddressMath.FromNumber(lo + pick, subnet.IsV4);
            }
            else
            {
                var mask = subnet.HostBits >= 128 ? UInt128.MaxValue : (UInt128.One << subnet.HostBits) - 1;
                a = AddressMath.At(subnet, r & mask);
            }
            if (subnet.IsAssignable(a)) return a;
        }
        throw new InvalidOperationException($"no assignable address found in {subnet.Cidr} after 1000 draws");
    }
}
