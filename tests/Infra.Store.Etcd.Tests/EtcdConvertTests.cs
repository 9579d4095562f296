using Google.Protobuf;
using Grpc.Core;
using Rpc = Infra.Store.Etcd.Rpc;
using Mvcc = Infra.Store.Etcd.Mvcc;

namespace Infra.Store.Etcd.Tests;

public sealed class EtcdConvertTests
{
    [Theory]
    [InlineData(CompareTarget.Version, CompareResult.Equal, Rpc.Compare.Types.CompareTarget.Version, Rpc.Compare.Types.CompareResult.Equal, Rpc.Compare.TargetUnionOneofCase.Version)]
    [InlineData(CompareTarget.CreateRevision, CompareResult.Greater, Rpc.Compare.Types.CompareTarget.Create, Rpc.Compare.Types.CompareResult.Greater, Rpc.Compare.TargetUnionOneofCase.CreateRevision)]
    [InlineData(CompareTarget.ModRevision, CompareResult.Less, Rpc.Compare.Types.CompareTarget.Mod, Rpc.Compare.Types.CompareResult.Less, Rpc.Compare.TargetUnionOneofCase.ModRevision)]
    [InlineData(CompareTarget.Lease, CompareResult.NotEqual, Rpc.Compare.Types.CompareTarget.Lease, Rpc.Compare.Types.CompareResult.NotEqual, Rpc.Compare.TargetUnionOneofCase.Lease)]
    public void Compare_NumericTargets_SetTheMatchingOneofMember(CompareTarget target, CompareResult result,
        Rpc.Compare.Types.CompareTarget wireTarget, Rpc.Compare.Types.CompareResult wireResult, Rpc.Compare.TargetUnionOneofCase member)
    {
        var m = EtcdConvert.ToRpc(new Compare(Keys.Of("k"), target, result, 42));
        Assert.Equal(wireTarget, m.Target);
        Assert.Equal(wireResult, m.Result);
        Assert.Equal(member, m.TargetUnionCase);
        Assert.Equal("k", m.Key.ToStringUtf8());
    }

    [Fact]
    public void Compare_ValueTarget_CarriesBytes_AndRangeEnd()
    {
        var m = EtcdConvert.ToRpc(new Compare(Keys.Of("a"), CompareTarget.Value, CompareResult.Equal, Value: "v".Utf8(), RangeEnd: Keys.Of("b")));
        Assert.Equal(Rpc.Compare.TargetUnionOneofCase.Value, m.TargetUnionCase);
        Assert.Equal("v", m.Value.ToStringUtf8());
        Assert.Equal("b", m.RangeEnd.ToStringUtf8());
    }

    // Bytes of etcd's encoding of Compare{result=EQUAL(0), target=CREATE(1), key="k", create_revision=0}:
    // the oneof member is written even when 0, which is what makes "create_revision == 0" (absent) work.
    [Fact]
    public void Compare_Absent_EncodesExplicitZeroCreateRevision()
    {
        var bytes = EtcdConvert.ToRpc(Compare.Absent("k")).ToByteArray();
        Assert.Equal(new byte[] { 0x10, 0x01, 0x1a, 0x01, (byte)'k', 0x28, 0x00 }, bytes);
    }

    [Fact]
    public void ByRevision_SplitsACatchUpResponse_KeepingATxnsEventsTogether()
    {
        static Mvcc.Event Ev(string k, long rev) => new() { Kv = new Mvcc.KeyValue { Key = ByteString.CopyFromUtf8(k), ModRevision = rev } };
        var split = EtcdConvert.ByRevision([Ev("a", 5), Ev("b", 5), Ev("a", 6), Ev("c", 8)]).ToList();
        Assert.Equal([5L, 6L, 8L], split.Select(r => r.Header.Revision));
        Assert.Equal([2, 1, 1], split.Select(r => r.Events.Count));
    }

    [Theory]
    [InlineData(StatusCode.OutOfRange, "etcdserver: mvcc: required revision has been compacted", typeof(CompactedException))]
    [InlineData(StatusCode.OutOfRange, "etcdserver: mvcc: required revision is a future revision", typeof(FutureRevisionException))]
    [InlineData(StatusCode.NotFound, "etcdserver: requested lease not found", typeof(LeaseNotFoundException))]
    [InlineData(StatusCode.InvalidArgument, "etcdserver: duplicate key given in txn request", typeof(InvalidStoreRequestException))]
    [InlineData(StatusCode.InvalidArgument, "etcdserver: too many operations in txn request", typeof(InvalidStoreRequestException))]
    [InlineData(StatusCode.Unavailable, "connection refused", typeof(EtcdRequestException))]
    [InlineData(StatusCode.DeadlineExceeded, "", typeof(EtcdRequestException))]
    public void Errors_MapEtcdStatusTextToTypedExceptions(StatusCode code, string detail, Type expected)
    {
        var mapped = EtcdErrors.Map(new RpcException(new Status(code, detail)), revision: 7, lease: 0x1234);
        Assert.IsType(expected, mapped);
        if (mapped is LeaseNotFoundException l) Assert.Equal(0x1234, l.LeaseId);
    }

    [Fact]
    public void Options_ReportEveryError()
    {
        var errors = new EtcdStoreOptions(["ftp://x", "not a url"], CallTimeout: TimeSpan.Zero, ReconnectDelay: TimeSpan.FromSeconds(-1)).Validate();
        Assert.Equal(4, errors.Count);
        Assert.Throws<ArgumentException>(() => EtcdStore.Connect(new EtcdStoreOptions([])));
    }
}
