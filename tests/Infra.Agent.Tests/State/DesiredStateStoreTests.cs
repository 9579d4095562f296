using Infra.Agent.Core.State;
using static Infra.Agent.Tests.Support.Resources;

namespace Infra.Agent.Tests.State;

public sealed class DesiredStateStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("infra-agent-state-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Load_WhenNothingSaved_IsEmptyVersionZero()
    {
        var l = new DesiredStateStore(_dir).Load();
        Assert.Equal(0UL, l.Snapshot.Version);
        Assert.Null(l.Problem);
    }

    [Fact]
    public void SaveThenLoad_ReturnsTheSnapshot()
    {
        var store = new DesiredStateStore(_dir);
        var s = DesiredSnapshot.FromFull(Full(12, Vm("a"), Port("p", "a", "tap0")));
        store.Save(s);
        Assert.Equal(s.Resources, new DesiredStateStore(_dir).Load().Snapshot.Resources);
        Assert.False(File.Exists(store.FilePath + ".tmp"));
    }

    [Fact]
    public void Load_WithTornTempFile_KeepsThePreviousState()
    {
        // A crash between writing the temp file and the rename: the old file is the truth.
        var store = new DesiredStateStore(_dir);
        store.Save(DesiredSnapshot.FromFull(Full(4, Vm("a"))));
        File.WriteAllBytes(store.FilePath + ".tmp", [0x49, 0x4e, 0x46]);
        var l = store.Load();
        Assert.Equal(4UL, l.Snapshot.Version);
        Assert.False(File.Exists(store.FilePath + ".tmp"));
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("flipped")]
    [InlineData("zeroed")]
    [InlineData("empty")]
    public void Load_WithDamagedFile_StartsFromZero_AndMovesItAside(string damage)
    {
        var store = new DesiredStateStore(_dir);
        store.Save(DesiredSnapshot.FromFull(Full(4, Vm("a"), Vm("b"))));
        var bytes = File.ReadAllBytes(store.FilePath);
        bytes = damage switch
        {
            "truncated" => bytes[..^3],
            "flipped" => bytes.Select((b, i) => i == bytes.Length - 2 ? (byte)(b ^ 0x40) : b).ToArray(),
            "zeroed" => new byte[bytes.Length],
            _ => [],
        };
        File.WriteAllBytes(store.FilePath, bytes);
        var l = store.Load();
        Assert.Equal(0UL, l.Snapshot.Version);
        Assert.NotNull(l.Problem);
        Assert.True(File.Exists(store.FilePath + ".corrupt"));
        Assert.False(File.Exists(store.FilePath));
    }

    [Theory]
    [InlineData("", 0x00000000u)]
    [InlineData("123456789", 0xCBF43926u)]
    [InlineData("The quick brown fox jumps over the lazy dog", 0x414FA339u)]
    public void Crc32_MatchesZlib(string text, uint expected) =>
        Assert.Equal(expected, Crc32.Compute(System.Text.Encoding.ASCII.GetBytes(text)));
}
