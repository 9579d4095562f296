using Google.Protobuf.Reflection;
using Infra.Controller.Api.Audit;
using Infra.V1;

namespace Infra.Controller.Api.Tests.Audit;

public sealed class AuditedMethodsTests
{
    /// <summary>Every service of the contract, found from the generated *Reflection classes, so a new proto file is covered.</summary>
    static IEnumerable<MethodDescriptor> ContractMethods() => typeof(Tenant).Assembly.GetTypes()
        .Where(t => t.Namespace == "Infra.V1" && t.Name.EndsWith("Reflection", StringComparison.Ordinal))
        .Select(t => (FileDescriptor)t.GetProperty("Descriptor")!.GetValue(null)!)
        .SelectMany(f => f.Services).SelectMany(s => s.Methods);

    [Fact]
    public void EveryContractRpc_IsClassifiedAsReadOrMutating()
    {
        var methods = ContractMethods().Select(m => $"/{m.Service.FullName}/{m.Name}").ToList();
        Assert.Contains("/infra.v1.Tenants/CreateTenant", methods);
        var unclassified = methods.Where(m => AuditedMethods.Classify(m) == AuditClass.Unclassified).ToList();
        Assert.True(unclassified.Count == 0,
            "add the verb of each to AuditedMethods' read or mutating list (unclassified calls are audited meanwhile):\n  " + string.Join("\n  ", unclassified));
    }

    [Theory]
    [InlineData("/infra.v1.Tenants/CreateTenant", AuditClass.Mutating)]
    [InlineData("/infra.v1.Instances/SnapshotInstance", AuditClass.Mutating)]
    [InlineData("/infra.v1.Instances/Console", AuditClass.Mutating)]
    [InlineData("/infra.v1.Hosts/UncordonHost", AuditClass.Mutating)]
    [InlineData("/infra.v1.Images/ImportImage", AuditClass.Mutating)]
    [InlineData("/infra.v1.Instances/GetConsoleLog", AuditClass.Read)]
    [InlineData("/infra.v1.Networks/ListAllocations", AuditClass.Read)]
    [InlineData("/infra.v1.Volumes/ExportVolume", AuditClass.Read)]
    [InlineData("/infra.v1.Changes/Watch", AuditClass.Read)]
    [InlineData("/infra.v1.Audit/ListAuditRecords", AuditClass.NotApi)]
    [InlineData("/infra.v1.AgentSession/Connect", AuditClass.NotApi)]
    [InlineData("/infra.v1.CommandRelay/Run", AuditClass.NotApi)]
    [InlineData("/grpc.health.v1.Health/Check", AuditClass.NotApi)]
    [InlineData("/infra.v1.Tenants/FrobnicateTenant", AuditClass.Unclassified)]
    public void Classify_ByTheMethodsVerb(string method, AuditClass expected) => Assert.Equal(expected, AuditedMethods.Classify(method));

    [Fact]
    public void ObjectIds_ComeFromIdFieldsAtAnyDepth_WithoutRequestIds()
    {
        var request = new CreatePortRequest { RequestId = "req-1", NetworkId = "net-1", PolicyIds = { "pol-1", "pol-2" } };
        var response = new Port { Meta = new ObjectMeta { Id = "prt-1" }, NetworkId = "net-1", TenantId = "ten-1" };
        Assert.Equal(["net-1", "pol-1", "pol-2", "prt-1", "ten-1"], AuditFields.ObjectIds(request, response));
    }

    [Fact]
    public void ObjectIds_AreBounded()
    {
        var request = new CreatePortRequest { NetworkId = new string('x', 10_000) };
        for (var i = 0; i < 100; i++) request.PolicyIds.Add($"pol-{i}");
        var ids = AuditFields.ObjectIds(request);
        Assert.Equal(AuditFields.MaxIds, ids.Count);
        Assert.Equal(AuditFields.MaxIdLength, ids[0].Length);
    }
}
