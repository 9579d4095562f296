using Google.Rpc;
using Grpc.Core;
using Infra.Controller.Api.Tests.Support;
using Infra.Controller.Domain.Auth;
using Infra.Controller.Domain.Model;
using Infra.V1;
using static Infra.Controller.Api.Tests.Support.Fixtures;

namespace Infra.Controller.Api.Tests;

/// <summary>
/// Tenant principals against the public API over HTTP/2: tenant A, tenant B, a reader of A, and the
/// admin that set them up. Principals come from the test-only header (<see cref="TestPrincipalInterceptor"/>)
/// until API credentials exist; the rules and the scoping under test are the shipped ones.
/// </summary>
public sealed class TenantScopeTests : IAsyncLifetime
{
    ApiServer s = null!;
    Tenant ta = null!, tb = null!;
    Network na = null!, nb = null!;
    Caller a = null!, b = null!, readerA = null!;

    public async Task InitializeAsync()
    {
        s = await ApiServer.StartAsync(testPrincipals: true, bookmark: TimeSpan.FromMilliseconds(200));
        ta = await TenantAsync(s, "a");
        tb = await TenantAsync(s, "b");
        na = await NetworkAsync(s, ta.Meta.Id, "na", "10.0.0.0/24");
        nb = await NetworkAsync(s, tb.Meta.Id, "nb", "10.1.0.0/24");
        a = s.As(Principal.Tenant(ta.Meta.Id, TenantRole.Member, "test"));
        b = s.As(Principal.Tenant(tb.Meta.Id, TenantRole.Member, "test"));
        readerA = s.As(Principal.Tenant(ta.Meta.Id, TenantRole.Reader, "test"));
    }

    public async Task DisposeAsync() => await s.DisposeAsync();

    static string Reason(RpcException e) => Details(e).Details.Single(d => d.Is(ErrorInfo.Descriptor)).Unpack<ErrorInfo>().Reason;

    [Fact]
    public async Task Get_OfAnotherTenantsObject_IsNotFound_WordForWordAsAMissingId()
    {
        var missingId = ResourceId.New(IdKind.Network);
        var foreign = await FailsAsync(StatusCode.NotFound, () => a.Networks.GetNetworkAsync(new GetNetworkRequest { Id = nb.Meta.Id }).ResponseAsync);
        var missing = await FailsAsync(StatusCode.NotFound, () => a.Networks.GetNetworkAsync(new GetNetworkRequest { Id = missingId }).ResponseAsync);
        Assert.Equal(missing.Status.Detail.Replace(missingId, "ID"), foreign.Status.Detail.Replace(nb.Meta.Id, "ID"));
        await FailsAsync(StatusCode.NotFound, () => a.Tenants.GetTenantAsync(new GetTenantRequest { Id = tb.Meta.Id }).ResponseAsync);
        Assert.Equal(ta.Meta.Id, (await a.Tenants.GetTenantAsync(new GetTenantRequest { Id = ta.Meta.Id })).Meta.Id);
        Assert.Equal(na.Meta.Id, (await a.Networks.GetNetworkAsync(new GetNetworkRequest { Id = na.Meta.Id })).Meta.Id);
    }

    [Fact]
    public async Task DeleteAndUpdate_OfAnotherTenantsObject_AreNotFound_AndTheObjectStays()
    {
        await FailsAsync(StatusCode.NotFound, () => a.Networks.DeleteNetworkAsync(new DeleteNetworkRequest { Id = nb.Meta.Id }).ResponseAsync);
        await FailsAsync(StatusCode.NotFound, () => a.Networks.UpdateNetworkAsync(new UpdateNetworkRequest { Id = nb.Meta.Id, SetLabels = true, Labels = { ["x"] = "y" } }).ResponseAsync);
        var still = await s.Networks.GetNetworkAsync(new GetNetworkRequest { Id = nb.Meta.Id });
        Assert.Equal(nb.Meta.Revision, still.Meta.Revision);
        Assert.Empty(still.Meta.Labels);
    }

    [Fact]
    public async Task List_ReturnsOnlyTheTenantsObjects_AndNamingAnotherTenantIsNotFound()
    {
        var networks = await a.Networks.ListNetworksAsync(new ListNetworksRequest());
        Assert.Equal([na.Meta.Id], networks.Networks.Select(n => n.Meta.Id));
        var tenants = await a.Tenants.ListTenantsAsync(new ListTenantsRequest());
        Assert.Equal([ta.Meta.Id], tenants.Tenants.Select(t => t.Meta.Id));
        var policies = await b.Policies.ListPoliciesAsync(new ListPoliciesRequest());
        Assert.All(policies.Policies, p => Assert.Equal(tb.Meta.Id, p.TenantId));
        await FailsAsync(StatusCode.NotFound, () => a.Networks.ListNetworksAsync(new ListNetworksRequest { TenantId = tb.Meta.Id }).ResponseAsync);
        // The admin still sees both.
        Assert.Equal(2, (await s.Networks.ListNetworksAsync(new ListNetworksRequest())).Networks.Count);
    }

    [Fact]
    public async Task Create_IsForcedIntoTheCallersTenant_AndAnotherTenantIsNotFound()
    {
        var own = await a.Networks.CreateNetworkAsync(new CreateNetworkRequest { Name = "forced", Subnets = { new Subnet { Cidr = "10.9.0.0/24" } } });
        Assert.Equal(ta.Meta.Id, own.TenantId);
        var e = await FailsAsync(StatusCode.NotFound, () => a.Networks.CreateNetworkAsync(new CreateNetworkRequest
            { TenantId = tb.Meta.Id, Name = "intruder", Subnets = { new Subnet { Cidr = "10.8.0.0/24" } } }).ResponseAsync);
        Assert.Contains(tb.Meta.Id, e.Status.Detail);
        Assert.DoesNotContain((await s.Networks.ListNetworksAsync(new ListNetworksRequest { TenantId = tb.Meta.Id })).Networks, n => n.Meta.Name == "intruder");
        var key = await a.KeyPairs.CreateKeyPairAsync(new CreateKeyPairRequest { Name = "k", PublicKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f a@b" });
        Assert.Equal(ta.Meta.Id, key.TenantId);
    }

    [Fact]
    public async Task References_ToAnotherTenantsObjects_AreNotFound()
    {
        await FailsAsync(StatusCode.NotFound, () => a.Ports.CreatePortAsync(new CreatePortRequest { NetworkId = nb.Meta.Id }).ResponseAsync);
        var policyB = (await b.Policies.ListPoliciesAsync(new ListPoliciesRequest())).Policies[0];
        await FailsAsync(StatusCode.NotFound, () => a.Ports.CreatePortAsync(new CreatePortRequest { NetworkId = na.Meta.Id, PolicyIds = { policyB.Meta.Id } }).ResponseAsync);
        var volumeB = await b.Volumes.CreateVolumeAsync(new CreateVolumeRequest { Name = "vb", SizeGib = 1 });
        var e = await FailsAsync(StatusCode.NotFound, () => a.Instances.CreateInstanceAsync(new CreateInstanceRequest
        {
            Name = "vm", Vcpus = 1, CpuMhz = 1000, MemoryMib = 256,
            Boot = new BootSource { VolumeId = volumeB.Meta.Id },
            Ports = { new PortSpec { NetworkId = na.Meta.Id } },
        }).ResponseAsync);
        Assert.Contains(volumeB.Meta.Id, e.Status.Detail);
        Assert.Empty((await s.Instances.ListInstancesAsync(new ListInstancesRequest())).Instances);
    }

    [Fact]
    public async Task Images_PublicOnesAreVisibleButOnlyOperatorsChangeThem_ForeignOnesAreNotFound()
    {
        var pub = await ImportAsync(s, "public", new byte[4096]);
        var imageB = await ImportAsync(b.Images, "private-b", new byte[4096]);
        Assert.Equal(tb.Meta.Id, imageB.TenantId);
        var visible = await a.Images.ListImagesAsync(new ListImagesRequest());
        Assert.Equal([pub.Meta.Id], visible.Images.Select(i => i.Meta.Id));
        await FailsAsync(StatusCode.NotFound, () => a.Images.GetImageAsync(new GetImageRequest { Id = imageB.Meta.Id }).ResponseAsync);
        await FailsAsync(StatusCode.NotFound, () => a.Volumes.CreateVolumeAsync(new CreateVolumeRequest { Name = "from-b", ImageId = imageB.Meta.Id }).ResponseAsync);
        var clone = await a.Volumes.CreateVolumeAsync(new CreateVolumeRequest { Name = "from-public", ImageId = pub.Meta.Id });
        Assert.Equal(ta.Meta.Id, clone.TenantId);
        var denied = await FailsAsync(StatusCode.PermissionDenied, () => a.Images.DeleteImageAsync(new DeleteImageRequest { Id = pub.Meta.Id }).ResponseAsync);
        Assert.Equal("OPERATOR_OBJECT", Reason(denied));
        Assert.NotNull(await s.Images.GetImageAsync(new GetImageRequest { Id = pub.Meta.Id }));
    }

    [Fact]
    public async Task Tenant_MayNotPickAnNbdBackend()
    {
        var e = await FailsAsync(StatusCode.PermissionDenied, () => a.Volumes.CreateVolumeAsync(new CreateVolumeRequest
            { Name = "nbd", SizeGib = 1, Backend = new VolumeBackend { Nbd = new NbdBackend { Uri = "nbd+unix:///x?socket=/run/agent.sock" } } }).ResponseAsync);
        Assert.Equal("OPERATOR_BACKEND", Reason(e));
        Assert.Empty((await s.Volumes.ListVolumesAsync(new ListVolumesRequest())).Volumes);
    }

    [Fact]
    public async Task Reader_MayRead_ButEveryMutationIsPermissionDeniedNamingTheMethod()
    {
        Assert.Single((await readerA.Networks.ListNetworksAsync(new ListNetworksRequest())).Networks);
        var e = await FailsAsync(StatusCode.PermissionDenied, () => readerA.Networks.CreateNetworkAsync(new CreateNetworkRequest { Name = "r" }).ResponseAsync);
        Assert.Contains("/infra.v1.Networks/CreateNetwork", e.Status.Detail);
        Assert.Equal("READ_ONLY", Reason(e));
        await FailsAsync(StatusCode.PermissionDenied, () => readerA.Networks.DeleteNetworkAsync(new DeleteNetworkRequest { Id = na.Meta.Id }).ResponseAsync);
        await FailsAsync(StatusCode.PermissionDenied, () => readerA.Instances.StartInstanceAsync(new InstanceActionRequest { Id = ResourceId.New(IdKind.Instance) }).ResponseAsync);
        Assert.NotNull(await s.Networks.GetNetworkAsync(new GetNetworkRequest { Id = na.Meta.Id }));
    }

    [Fact]
    public async Task Tenant_OnOperatorMethods_IsPermissionDenied()
    {
        var calls = new (string Method, Func<Task> Call)[]
        {
            ("CreateTenant", () => a.Tenants.CreateTenantAsync(new CreateTenantRequest { Name = "mine" }).ResponseAsync),
            ("UpdateTenant", () => a.Tenants.UpdateTenantAsync(new UpdateTenantRequest { Id = ta.Meta.Id }).ResponseAsync),
            ("DeleteTenant", () => a.Tenants.DeleteTenantAsync(new DeleteTenantRequest { Id = tb.Meta.Id }).ResponseAsync),
            ("ListHosts", () => a.Hosts.ListHostsAsync(new ListHostsRequest()).ResponseAsync),
            ("CordonHost", () => a.Hosts.CordonHostAsync(new CordonHostRequest { Id = "hv-1" }).ResponseAsync),
            ("DrainHost", () => a.Hosts.DrainHostAsync(new DrainHostRequest { Id = "hv-1" }).ResponseAsync),
        };
        foreach (var (method, call) in calls)
        {
            var e = await FailsAsync(StatusCode.PermissionDenied, call);
            Assert.Contains(method, e.Status.Detail);
            Assert.Equal("ADMIN_ONLY", Reason(e));
        }
        Assert.NotNull(await s.Tenants.GetTenantAsync(new GetTenantRequest { Id = tb.Meta.Id }));
    }

    [Fact]
    public async Task HostAndReplicaPrincipals_MayNotCallTheTenantApi()
    {
        foreach (var p in new[] { Principal.Host("hv-1", "test"), Principal.Replica("c2", "test") })
        {
            var e = await FailsAsync(StatusCode.PermissionDenied, () => s.As(p).Networks.ListNetworksAsync(new ListNetworksRequest()).ResponseAsync);
            Assert.Equal("TENANT_API", Reason(e));
        }
    }
}
