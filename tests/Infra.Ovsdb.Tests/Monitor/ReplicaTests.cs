using System.Text.Json;
using Infra.Ovsdb.Monitor;
using Infra.Ovsdb.Values;

namespace Infra.Ovsdb.Tests.Monitor;

public class ReplicaTests
{
    private const string Schema = """
        {"name":"T","version":"1","tables":{"Interface":{"columns":{
          "name":{"type":"string"},
          "ofport":{"type":{"key":"integer","min":0,"max":1}},
          "options":{"type":{"key":"string","value":"string","min":0,"max":"unlimited"}},
          "tags":{"type":{"key":"string","min":0,"max":"unlimited"}}}}}}
        """;
    private const string Id = "00000000-0000-0000-0000-000000000001";

    private static OvsdbReplica NewReplica() => new(OvsdbSchema.Parse(JsonDocument.Parse(Schema).RootElement));
    private static JsonElement J(string s) => JsonDocument.Parse(s).RootElement;

    [Fact]
    public void Schema_ClassifiesColumns()
    {
        var s = OvsdbSchema.Parse(J(Schema));
        Assert.Equal(ColumnKind.Scalar, s.KindOf("Interface", "name"));
        Assert.Equal(ColumnKind.Optional, s.KindOf("Interface", "ofport"));
        Assert.Equal(ColumnKind.Set, s.KindOf("Interface", "tags"));
        Assert.Equal(ColumnKind.Map, s.KindOf("Interface", "options"));
    }

    [Fact]
    public void Update2_Modify_AppliesSetAndMapDiffs()
    {
        var r = NewReplica();
        r.Reset(J("""{"Interface":{"@ID@":{"initial":{"name":"a","tags":["set",["x","y"]],"options":["map",[["k","1"],["d","2"]]]}}}}""".Replace("@ID@", Id)), update2: true);
        r.Apply(J("""{"Interface":{"@ID@":{"modify":{"name":"b","ofport":5,"tags":["set",["y","z"]],"options":["map",[["k","9"],["d","2"],["n","3"]]]}}}}""".Replace("@ID@", Id)), update2: true);
        var row = r.Row("Interface", Guid.Parse(Id))!;
        Assert.Equal("b", row.GetString("name"));
        Assert.Equal(5, row.GetInteger("ofport"));
        r.Apply(J("""{"Interface":{"@ID@":{"modify":{"ofport":7}}}}""".Replace("@ID@", Id)), update2: true);
        Assert.Equal(7, r.Row("Interface", Guid.Parse(Id))!.GetInteger("ofport")); // optional columns carry the new value
        r.Apply(J("""{"Interface":{"@ID@":{"modify":{"ofport":["set",[]]}}}}""".Replace("@ID@", Id)), update2: true);
        Assert.Null(r.Row("Interface", Guid.Parse(Id))!.GetInteger("ofport"));
        row = r.Row("Interface", Guid.Parse(Id))!;
        Assert.Equal(new[] { "x", "z" }, row["tags"].Atoms.Select(a => a.ToText()).Order());
        Assert.Equal(new Dictionary<string, string> { ["k"] = "9", ["n"] = "3" }, row.GetMap("options"));
    }

    [Fact]
    public void Update2_Delete_RemovesRow_AndInsertOmittingDefaultsReadsAsEmpty()
    {
        var r = NewReplica();
        r.Apply(J("""{"Interface":{"@ID@":{"insert":{"name":"a"}}}}""".Replace("@ID@", Id)), update2: true);
        Assert.Null(r.Row("Interface", Guid.Parse(Id))!.GetInteger("ofport"));
        Assert.Empty(r.Row("Interface", Guid.Parse(Id))!.GetMap("options"));
        r.Apply(J("""{"Interface":{"@ID@":{"delete":null}}}""".Replace("@ID@", Id)), update2: true);
        Assert.Empty(r.Rows("Interface"));
    }

    [Fact]
    public void Update1_NewReplacesRow_OldOnlyDeletes()
    {
        var r = NewReplica();
        r.Apply(J("""{"Interface":{"@ID@":{"new":{"name":"a","ofport":["set",[]]}}}}""".Replace("@ID@", Id)), update2: false);
        r.Apply(J("""{"Interface":{"@ID@":{"old":{"name":"a"},"new":{"name":"c","ofport":3}}}}""".Replace("@ID@", Id)), update2: false);
        Assert.Equal(3, r.Row("Interface", Guid.Parse(Id))!.GetInteger("ofport"));
        r.Apply(J("""{"Interface":{"@ID@":{"old":{"name":"c"}}}}""".Replace("@ID@", Id)), update2: false);
        Assert.Empty(r.Rows("Interface"));
    }

    [Fact]
    public void Reset_ReplacesEverythingAtOnce()
    {
        var r = NewReplica();
        r.Apply(J("""{"Interface":{"@ID@":{"insert":{"name":"stale"}}}}""".Replace("@ID@", Id)), update2: true);
        r.Reset(J("""{"Interface":{"00000000-0000-0000-0000-000000000002":{"initial":{"name":"fresh"}}}}"""), update2: true);
        Assert.Equal(["fresh"], r.Rows("Interface").Select(x => x.GetString("name")));
        Assert.Equal(1, r.Resyncs);
    }

    [Fact]
    public void DiffApply_MapDiffOnEmptyColumn_Inserts() =>
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1" }, DiffApply.Map(OvsdbValue.EmptySet, OvsdbValue.MapOf([new("a", "1")])).ToStringMap());
}
