namespace Infra.Store.Tests.Conformance;

public abstract partial class StoreConformance
{
    // Compare rows against key "k" holding value "v", written twice (version 2). Operands that use
    // the key's revisions are relative: "c"/"m" are replaced by its CreateRevision/ModRevision.
    [Theory]
    [InlineData(CompareTarget.Value, CompareResult.Equal, "v", true)]
    [InlineData(CompareTarget.Value, CompareResult.NotEqual, "v", false)]
    [InlineData(CompareTarget.Value, CompareResult.Greater, "u", true)]
    [InlineData(CompareTarget.Value, CompareResult.Less, "w", true)]
    [InlineData(CompareTarget.Version, CompareResult.Equal, "2", true)]
    [InlineData(CompareTarget.Version, CompareResult.Greater, "1", true)]
    [InlineData(CompareTarget.Version, CompareResult.Less, "2", false)]
    [InlineData(CompareTarget.CreateRevision, CompareResult.Equal, "c", true)]
    [InlineData(CompareTarget.CreateRevision, CompareResult.Equal, "m", false)]
    [InlineData(CompareTarget.ModRevision, CompareResult.Equal, "m", true)]
    [InlineData(CompareTarget.ModRevision, CompareResult.Less, "m", false)]
    [InlineData(CompareTarget.Lease, CompareResult.Equal, "0", true)]
    public async Task Txn_CompareOnExistingKey_FollowsEtcdSemantics(CompareTarget target, CompareResult result, string operand, bool expected)
    {
        await Store.PutAsync(P + "k", "x");
        await Store.PutAsync(P + "k", "v");
        var kv = (await Store.GetAsync(P + "k"))!;
        var number = operand switch { "c" => kv.CreateRevision, "m" => kv.ModRevision, _ when target != CompareTarget.Value => long.Parse(operand), _ => 0 };
        var cmp = new Compare(Keys.Of(P + "k"), target, result, number, target == CompareTarget.Value ? operand.Utf8() : null);
        var r = await Store.TxnAsync(new TxnRequest([cmp], [], []));
        Assert.Equal(expected, r.Succeeded);
    }

    [Theory]
    [InlineData(CompareTarget.CreateRevision, CompareResult.Equal, 0, true)]
    [InlineData(CompareTarget.Version, CompareResult.Equal, 0, true)]
    [InlineData(CompareTarget.ModRevision, CompareResult.Less, 1, true)]
    [InlineData(CompareTarget.Version, CompareResult.Greater, 0, false)]
    public async Task Txn_CompareOnMissingKey_SeesZeroFields(CompareTarget target, CompareResult result, long number, bool expected)
    {
        var r = await Store.TxnAsync(new TxnRequest([new Compare(Keys.Of(P + "missing"), target, result, number)], []));
        Assert.Equal(expected, r.Succeeded);
    }

    [Theory]
    [InlineData(CompareResult.Equal)]
    [InlineData(CompareResult.NotEqual)]
    public async Task Txn_ValueCompareOnMissingKey_NeverHolds(CompareResult result)
    {
        var r = await Store.TxnAsync(new TxnRequest([new Compare(Keys.Of(P + "missing"), CompareTarget.Value, result, Value: []) ], []));
        Assert.False(r.Succeeded);
    }

    [Fact]
    public async Task Txn_Success_AppliesAllOpsAtOneRevision()
    {
        await Store.PutAsync(P + "gone", "x");
        var r0 = await RevisionAsync();
        var r = await Store.TxnAsync(new TxnRequest(
            [Compare.Absent(P + "a")],
            [PutRequest.Of(P + "a", "1"), PutRequest.Of(P + "b", "2"), DeleteRangeRequest.Single(P + "gone"), RangeRequest.Prefix(P)]));
        Assert.True(r.Succeeded);
        Assert.Equal(r0 + 1, r.Header.Revision);
        Assert.Equal(r0 + 1, (await Store.GetAsync(P + "a"))!.ModRevision);
        Assert.Equal(r0 + 1, (await Store.GetAsync(P + "b"))!.ModRevision);
        // A range after writes inside the same txn sees them.
        Assert.Equal(["1", "2"], r.Responses[3].Range!.Kvs.Select(kv => kv.ValueString));
    }

    [Fact]
    public async Task Txn_Failure_RunsElseBranchOnly()
    {
        await Store.PutAsync(P + "a", "taken");
        var r = await Store.TxnAsync(new TxnRequest(
            [Compare.Absent(P + "a")],
            [PutRequest.Of(P + "a", "mine")],
            [RangeRequest.Single(P + "a")]));
        Assert.False(r.Succeeded);
        Assert.Equal("taken", r.Responses.Single().Range!.Kvs.Single().ValueString);
        Assert.Equal("taken", (await Store.GetAsync(P + "a"))!.ValueString);
    }

    [Fact]
    public async Task Txn_WithoutWrites_DoesNotAdvanceRevision()
    {
        var r0 = await RevisionAsync();
        var r = await Store.TxnAsync(new TxnRequest([], [RangeRequest.Prefix(P)]));
        Assert.Equal(r0, r.Header.Revision);
        Assert.Equal(r0, await RevisionAsync());
    }

    [Fact]
    public async Task Txn_PuttingSameKeyTwice_IsRejected_AndChangesNothing()
    {
        var r0 = await RevisionAsync();
        await Assert.ThrowsAsync<InvalidStoreRequestException>(() =>
            Store.TxnAsync(new TxnRequest([], [PutRequest.Of(P + "a", "1"), PutRequest.Of(P + "a", "2")])));
        Assert.Null(await Store.GetAsync(P + "a"));
        Assert.Equal(r0, await RevisionAsync());
    }

    [Fact]
    public async Task Txn_CompareOverRange_RequiresEveryKeyToPass()
    {
        await Store.PutAsync(P + "r/a", "1");
        await Store.PutAsync(P + "r/b", "1");
        await Store.PutAsync(P + "r/b", "2");
        var cmp = new Compare(Keys.Of(P + "r/"), CompareTarget.Version, CompareResult.Equal, 1, RangeEnd: Keys.PrefixEnd(P + "r/"));
        Assert.False((await Store.TxnAsync(new TxnRequest([cmp], []))).Succeeded);
        await Store.DeleteAsync(P + "r/b");
        Assert.True((await Store.TxnAsync(new TxnRequest([cmp], []))).Succeeded);
    }
}
