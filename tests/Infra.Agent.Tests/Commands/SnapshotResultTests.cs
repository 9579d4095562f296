using Infra.Agent.Core.Commands;
using Infra.V1;

namespace Infra.Agent.Tests.Commands;

public sealed class SnapshotResultTests
{
    [Fact]
    public void Of_NamesTheSnapshotByItsId_WithVolumeSizeQuiescedAndAvailable()
    {
        var s = SnapshotResult.Of("s1", "vol1", 1 << 30, quiesced: true);
        Assert.Equal(("s1", "vol1", 1UL << 30, true, VolumeState.Available), (s.Meta.Id, s.VolumeId, s.SizeBytes, s.Quiesced, s.State));
    }
}
