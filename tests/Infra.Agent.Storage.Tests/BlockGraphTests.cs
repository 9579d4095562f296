using Infra.Agent.Storage.Images;
using Infra.Agent.Storage.Volumes;

namespace Infra.Agent.Storage.Tests;

public class BlockGraphTests
{
    public static TheoryData<VolumeSpec, string[]> Rows => new()
    {
        { new VolumeSpec("a", new RawFileBackend("/d/a.raw")), [
            """{"driver":"file","node-name":"proto0","filename":"/d/a.raw","read-only":false}""",
            """{"driver":"raw","node-name":"vol0","file":"proto0","read-only":false}"""] },
        { new VolumeSpec("b", new Qcow2Backend("/d/b.qcow2"), ReadOnly: true), [
            """{"driver":"file","node-name":"proto0","filename":"/d/b.qcow2","read-only":true}""",
            """{"driver":"qcow2","node-name":"vol0","file":"proto0","read-only":true}"""] },
        { new VolumeSpec("c", new Qcow2CloneBackend("/d/c.qcow2", "/d/base.raw", ImageFormat.Raw)), [
            """{"driver":"file","node-name":"proto0","filename":"/d/c.qcow2","read-only":false}""",
            """{"driver":"qcow2","node-name":"vol0","file":"proto0","read-only":false}"""] },
        { new VolumeSpec("d", new NbdBackend(NbdAddress.Unix("/run/x.sock"), "disk1")), [
            """{"driver":"nbd","node-name":"vol0","export":"disk1","read-only":false,"server":{"type":"unix","path":"/run/x.sock"}}"""] },
        { new VolumeSpec("e", new NbdBackend(NbdAddress.Tcp("10.1.2.3", 10809), "disk2")), [
            """{"driver":"nbd","node-name":"vol0","export":"disk2","read-only":false,"server":{"type":"inet","host":"10.1.2.3","port":"10809"}}"""] },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Open_ProducesBlockdevAddArguments(VolumeSpec spec, string[] expected) =>
        Assert.Equal(expected, BlockGraph.Open(spec).Select(n => n.ToJsonString()).ToArray());
}
