using Google.Protobuf;
using Google.Rpc;
using Infra.Controller.Api.Plumbing;
using Infra.Controller.Model.Store;
using Grpc.Core;
using Infra.V1;

namespace Infra.Controller.Api.Tests.Support;

/// <summary>Small builders and assertions shared by the service tests.</summary>
public static class Fixtures
{
    public static async Task<RpcException> FailsAsync(StatusCode code, Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        Assert.True(code == e.StatusCode, $"expected {code}, got {e.StatusCode}: {e.Status.Detail}");
        return e;
    }

    /// <summary>The BadRequest field names carried in grpc-status-details-bin.</summary>
    public static List<string> BadFields(RpcException e)
    {
        Assert.NotNull(e.StatusDetails);
        var status = Google.Rpc.Status.Parser.ParseFrom(e.StatusDetails);
        Assert.Equal((int)StatusCode.InvalidArgument, status.Code);
        var bad = status.Details.Single(d => d.Is(BadRequest.Descriptor)).Unpack<BadRequest>();
        return bad.FieldViolations.Select(v => v.Field).ToList();
    }

    public static Google.Rpc.Status Details(RpcException e) => Google.Rpc.Status.Parser.ParseFrom(e.StatusDetails!);

    public static async Task<Tenant> TenantAsync(ApiServer s, string name) =>
        await s.Tenants.CreateTenantAsync(new CreateTenantRequest { Name = name });

    public static async Task<Network> NetworkAsync(ApiServer s, string tenantId, string name, params string[] cidrs)
    {
        var r = new CreateNetworkRequest { TenantId = tenantId, Name = name };
        foreach (var c in cidrs) r.Subnets.Add(new Subnet { Cidr = c });
        return await s.Networks.CreateNetworkAsync(r);
    }

    /// <summary>Registers a host the way the southbound session does: a Host object in the store.</summary>
    public static async Task<Host> RegisterHostAsync(ApiServer s, string id, uint cores = 8, uint mhz = 2400, ulong memoryMib = 16384)
    {
        var h = new Host
        {
            Meta = new ObjectMeta { Id = id, Name = id },
            Inventory = new HostInventory { Cores = cores, MhzPerCore = mhz, MemoryMib = memoryMib, Hostname = id, Arch = "x86_64", KvmAvailable = true },
            State = Infra.V1.HostState.Up,
        };
        await s.Store.PutAsync(new Infra.Store.PutRequest(Infra.Store.Keys.Of(Kinds.Host.Key(id)), h.ToByteArray()));
        return h;
    }

    public static Task<Image> ImportAsync(ApiServer s, string name, byte[] data, string? tenantId = null, string? sha = null) =>
        ImportAsync(s.Images, name, data, tenantId, sha);

    public static async Task<Image> ImportAsync(Images.ImagesClient images, string name, byte[] data, string? tenantId = null, string? sha = null)
    {
        using var call = images.ImportImage();
        var header = new ImportImageHeader { Name = name, TenantId = tenantId ?? "", Sha256 = sha ?? "" };
        await call.RequestStream.WriteAsync(new ImportImageRequest { Header = header });
        for (var off = 0; off < data.Length; off += 64 * 1024)
            await call.RequestStream.WriteAsync(new ImportImageRequest { Data = ByteString.CopyFrom(data, off, Math.Min(64 * 1024, data.Length - off)) });
        await call.RequestStream.CompleteAsync();
        return await call;
    }
}
