using System.Text;
using Infra.Agent.Compute.Console;

namespace Infra.Agent.Compute.Tests.Console;

/// <summary>The slow reader's backlog: newest bytes kept, the loss counted and reported once.</summary>
public class ConsoleRingTests
{
    /// <summary>Writes each chunk, then reads up to <paramref name="readMax"/>: what comes out and what was skipped.</summary>
    [Theory]
    // capacity, chunks written (| separated), read size, expected bytes, expected skipped, left in the ring
    [InlineData(8, "abc", 8, "abc", 0, 0)]
    [InlineData(8, "abc|def", 8, "abcdef", 0, 0)]
    [InlineData(8, "abcdef|ghij", 8, "cdefghij", 2, 0)]          // wraps, oldest two overwritten
    [InlineData(8, "abcdefgh", 8, "abcdefgh", 0, 0)]             // exactly full
    [InlineData(8, "abcdefghijkl", 8, "efghijkl", 4, 0)]         // one write above capacity keeps its end
    [InlineData(8, "abc|defghijklmn", 8, "ghijklmn", 6, 0)]      // big write drops what was held too
    [InlineData(8, "abcdef", 4, "abcd", 0, 2)]                   // partial read leaves the rest
    [InlineData(4, "ab|cd|ef|gh|ij", 4, "ghij", 6, 0)]
    [InlineData(8, "", 8, "", 0, 0)]
    public void WriteThenRead(int capacity, string chunks, int readMax, string expected, long skipped, int left)
    {
        var ring = new ConsoleRing(capacity);
        foreach (var c in chunks.Split('|')) ring.Write(Encoding.ASCII.GetBytes(c));
        var buffer = new byte[readMax];
        var (n, lost) = ring.Read(buffer);
        Assert.Equal(expected, Encoding.ASCII.GetString(buffer, 0, n));
        Assert.Equal(skipped, lost);
        Assert.Equal(left, ring.Count);
    }

    [Fact]
    public void Loss_IsReportedOnce_AndReadingAcrossTheWrapKeepsOrder()
    {
        var ring = new ConsoleRing(5);
        ring.Write("abcd"u8);
        var b = new byte[3];
        Assert.Equal((3, 0L), ring.Read(b));                      // "abc"; start moves to 3
        ring.Write("efghij"u8);                                   // held "d" + 6 new > 5: keeps "fghij"
        Assert.True(ring.HasNews);
        var all = new byte[5];
        var (n, skipped) = ring.Read(all);
        Assert.Equal("fghij", Encoding.ASCII.GetString(all, 0, n));
        Assert.Equal(2, skipped);                                 // "d" and "e" were lost
        Assert.Equal((0, 0L), ring.Read(all));
        Assert.False(ring.HasNews);
    }

    [Fact]
    public void ManyInterleavedWritesAndReads_MatchAReferenceModel()
    {
        var rnd = new Random(42);
        var ring = new ConsoleRing(37);
        var model = new List<byte>();
        long modelDropped = 0;
        byte next = 0;
        for (var step = 0; step < 5000; step++)
        {
            if (rnd.Next(2) == 0)
            {
                var chunk = new byte[rnd.Next(0, 60)];
                for (var i = 0; i < chunk.Length; i++) chunk[i] = next++;
                ring.Write(chunk);
                model.AddRange(chunk);
                if (model.Count > 37) { modelDropped += model.Count - 37; model.RemoveRange(0, model.Count - 37); }
            }
            else
            {
                var buffer = new byte[rnd.Next(0, 50)];
                var (n, skipped) = ring.Read(buffer);
                var take = Math.Min(buffer.Length, model.Count);
                Assert.Equal(take, n);
                Assert.Equal(model.Take(take), buffer.Take(n));
                Assert.Equal(modelDropped, skipped);
                model.RemoveRange(0, take);
                modelDropped = 0;
            }
            Assert.Equal(model.Count, ring.Count);
        }
    }
}
