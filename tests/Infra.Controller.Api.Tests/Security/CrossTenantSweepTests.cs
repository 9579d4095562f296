using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Infra.Controller.Api.Audit;
using Infra.Controller.Api.Auth;
using Infra.Controller.Domain.Auth;
using Infra.Controller.Api.Tests.Support;
using Infra.V1;
using Xunit.Abstractions;
using static Infra.Controller.Api.Tests.Support.Fixtures;

namespace Infra.Controller.Api.Tests.Security;

/// <summary>
/// Every RPC of the contract, enumerated from the service descriptors (so a new RPC is swept without
/// anyone listing it), called over HTTP/2 with an issued credential of tenant A naming tenant B's
/// objects, and with B's own reader credential for every mutation. Nothing may answer OK with B's data,
/// nothing of B's may change, and every refusal is NOT_FOUND or PERMISSION_DENIED.
/// </summary>
public sealed class CrossTenantSweepTests(ITestOutputHelper output) : IAsyncLifetime
{
    const string Bootstrap = "bootstrap-token-sweep-0123456789";
    ApiServer s = null!;
    ScriptedAgent agent = null!;
    BObjects b = null!;
    string tokenA = "", readerB = "";

    /// <summary>Tenant B's objects, one of each kind a request can name.</summary>
    sealed record BObjects(Tenant Tenant, Network Network, Port Port, Policy Policy, KeyPair KeyPair, Image Image,
        Instance Instance, Volume Volume, Snapshot Snapshot, string HostId)
    {
        public IEnumerable<string> Ids => [Tenant.Meta.Id, Network.Meta.Id, Port.Meta.Id, Policy.Meta.Id, KeyPair.Meta.Id, Image.Meta.Id,
            Instance.Meta.Id, Volume.Meta.Id, Snapshot.Meta.Id];

        /// <summary>The id a request field names: by field name, or for a bare "id" by the service it belongs to.</summary>
        public string? For(string field, string service, string message) => field switch
        {
            "tenant_id" => Tenant.Meta.Id,
            "network_id" => Network.Meta.Id,
            "port_id" => Port.Meta.Id,
            "policy_id" => Policy.Meta.Id,
            "key_pair_id" or "keypair_id" or "key_pair" => KeyPair.Meta.Id,
            "image_id" => Image.Meta.Id,
            "instance_id" => Instance.Meta.Id,
            "volume_id" => Volume.Meta.Id,
            "snapshot_id" => Snapshot.Meta.Id,
            "host_id" => HostId,
            "id" when message.EndsWith("SnapshotRequest", StringComparison.Ordinal) => Snapshot.Meta.Id,
            "id" => service switch
            {
                "Tenants" => Tenant.Meta.Id,
                "Networks" => Network.Meta.Id,
                "Ports" => Port.Meta.Id,
                "Policies" => Policy.Meta.Id,
                "KeyPairs" => KeyPair.Meta.Id,
                "Images" => Image.Meta.Id,
                "Instances" => Instance.Meta.Id,
                "Volumes" => Volume.Meta.Id,
                "Hosts" => HostId,
                _ => "sweep-id",
            },
            "name" => "sweep",
            _ => null,
        };
    }

    public async Task InitializeAsync()
    {
        s = await ApiServer.StartAsync(new HashSet<string> { Bootstrap }, Bootstrap, southbound: true);
        agent = await ScriptedAgent.ConnectAsync(s.Url, "h1", Bootstrap);
        var ta = await TenantAsync(s, "a");
        var tb = await TenantAsync(s, "b");
        var nb = await NetworkAsync(s, tb.Meta.Id, "nb", "10.1.0.0/24");
        var pb = await s.Ports.CreatePortAsync(new CreatePortRequest { NetworkId = nb.Meta.Id, Name = "pb" });
        var polb = await s.Policies.CreatePolicyAsync(new CreatePolicyRequest { TenantId = tb.Meta.Id, Name = "polb" });
        var kb = await s.KeyPairs.CreateKeyPairAsync(new CreateKeyPairRequest
        {
            TenantId = tb.Meta.Id, Name = "kb",
            PublicKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGt0ZXN0a2V5dGVzdGtleXRlc3RrZXl0ZXN0a2V5MDAw sweep@b",
        });
        var imgb = await ImportAsync(s, "imgb", new byte[4096], tb.Meta.Id);
        var ib = await s.Instances.CreateInstanceAsync(new CreateInstanceRequest
        {
            TenantId = tb.Meta.Id, Name = "ib", Vcpus = 1, CpuMhz = 1000, MemoryMib = 512,
            Boot = new BootSource { ImageId = imgb.Meta.Id, SizeGib = 1 },
            Ports = { new PortSpec { NetworkId = nb.Meta.Id } },
        });
        var vb = await s.Volumes.GetVolumeAsync(new GetVolumeRequest { Id = ib.BootVolumeId });
        var sb = await s.Volumes.CreateSnapshotAsync(new CreateSnapshotRequest { VolumeId = vb.Meta.Id, Name = "sb" });
        b = new BObjects(tb, nb, pb, polb, kb, imgb, ib, vb, sb, "h1");
        tokenA = (await s.Credentials.CreateCredentialAsync(new CreateCredentialRequest
        { Label = "sweep a", Kind = CredentialKind.Tenant, TenantId = ta.Meta.Id, Role = CredentialRole.Member })).Token;
        readerB = (await s.Credentials.CreateCredentialAsync(new CreateCredentialRequest
        { Label = "sweep b reader", Kind = CredentialKind.Tenant, TenantId = tb.Meta.Id, Role = CredentialRole.Reader })).Token;
    }

    public async Task DisposeAsync()
    {
        await agent.DisposeAsync();
        await s.DisposeAsync();
    }

    static IEnumerable<MethodDescriptor> ContractMethods() => typeof(Tenant).Assembly.GetTypes()
        .Where(t => t.Namespace == "Infra.V1" && t.Name.EndsWith("Reflection", StringComparison.Ordinal))
        .Select(t => (FileDescriptor)t.GetProperty("Descriptor")!.GetValue(null)!)
        .SelectMany(f => f.Services).SelectMany(sv => sv.Methods);

    [Fact]
    public async Task TenantA_AgainstEveryRpc_NamingTenantBsObjects_GetsNothingOfB_AndChangesNothing()
    {
        var before = await SnapshotOfBAsync();
        var a = s.WithToken(tokenA).Invoker;
        var leaks = new List<string>();
        var swept = 0;
        foreach (var m in ContractMethods())
        {
            var request = Fill(m);
            var (code, response, detail) = await CallAsync(a, m, request);
            swept++;
            output.WriteLine($"{m.Service.Name}/{m.Name}: {code} {detail}");
            // A request that names nothing of B's (ListTenants has no filter) may succeed: the leak check below covers it.
            var named = Text(request);
            var namesB = b.Ids.Any(id => named.Contains(id, StringComparison.Ordinal));
            if (namesB && code is not (StatusCode.NotFound or StatusCode.PermissionDenied) && !RefusedByItsOwnCredential(m, code))
                leaks.Add($"{m.Service.Name}/{m.Name} answered {code}: {detail}");
            // An error may repeat the ids the caller named (that tells it nothing); anything else of B's is a leak.
            if (b.Ids.FirstOrDefault(id => response.Contains(id, StringComparison.Ordinal)
                    || (detail.Contains(id, StringComparison.Ordinal) && !named.Contains(id, StringComparison.Ordinal))) is { } seen)
                leaks.Add($"{m.Service.Name}/{m.Name} returned B's {seen}");
        }
        // Lists and watches with no filter answer OK, with A's objects only.
        foreach (var m in ContractMethods().Where(m => m.Name.StartsWith("List", StringComparison.Ordinal) || m.Name == "Watch"))
        {
            var (code, response, detail) = await CallAsync(a, m, m.InputType.Parser.ParseFrom(ByteString.Empty));
            output.WriteLine($"unfiltered {m.Service.Name}/{m.Name}: {code} {detail}");
            if (b.Ids.FirstOrDefault(id => response.Contains(id, StringComparison.Ordinal) || detail.Contains(id, StringComparison.Ordinal)) is { } seen)
                leaks.Add($"unfiltered {m.Service.Name}/{m.Name} returned B's {seen}");
        }
        Assert.True(swept > 60, $"only {swept} RPCs found in the contract");
        Assert.True(leaks.Count == 0, "tenant A reached tenant B:\n  " + string.Join("\n  ", leaks));
        Assert.Equal(before, await SnapshotOfBAsync());
    }

    [Fact]
    public async Task ReaderOfB_AgainstEveryMutation_OnItsOwnObjects_IsPermissionDenied_AndChangesNothing()
    {
        var before = await SnapshotOfBAsync();
        var reader = s.WithToken(readerB).Invoker;
        var wrong = new List<string>();
        var mutations = ContractMethods().Where(m => AuditedMethods.Classify($"/{m.Service.FullName}/{m.Name}") == AuditClass.Mutating).ToList();
        foreach (var m in mutations)
        {
            var (code, _, detail) = await CallAsync(reader, m, Fill(m));
            output.WriteLine($"{m.Service.Name}/{m.Name}: {code} {detail}");
            if (code != StatusCode.PermissionDenied && !RefusedByItsOwnCredential(m, code))
                wrong.Add($"{m.Service.Name}/{m.Name} answered {code}: {detail}");
        }
        Assert.True(mutations.Count > 30, $"only {mutations.Count} mutations found");
        Assert.True(wrong.Count == 0, "a reader was not refused:\n  " + string.Join("\n  ", wrong));
        Assert.Equal(before, await SnapshotOfBAsync());
    }

    /// <summary>Methods open to any caller because the request carries its own credential (a join token, a
    /// host certificate): they must still refuse the sweep's made-up one, whatever the code.</summary>
    static bool RefusedByItsOwnCredential(MethodDescriptor m, StatusCode code) =>
        MethodRules.Find($"/{m.Service.FullName}/{m.Name}") == AccessRule.Open && code != StatusCode.OK;

    /// <summary>A request naming B's objects in every id field, also inside nested and repeated messages (ports, boot).</summary>
    IMessage Fill(MethodDescriptor m)
    {
        var msg = m.InputType.Parser.ParseFrom(ByteString.Empty);
        Fill(msg, m.Service.Name, depth: 0);
        return msg;
    }

    void Fill(IMessage msg, string service, int depth)
    {
        foreach (var f in msg.Descriptor.Fields.InFieldNumberOrder())
        {
            if (f.ContainingOneof is { } oneof && oneof.Accessor.GetCaseFieldDescriptor(msg) is not null) continue;
            // A nested message's own "id" (a rule's, say) is not the object the call is about.
            if (f.FieldType == FieldType.String && !f.IsRepeated && (depth == 0 || f.Name != "id")
                && b.For(f.Name, service, msg.Descriptor.Name) is { } value)
                f.Accessor.SetValue(msg, value);
            else if (!f.IsRepeated && Plausible(f) is { } plausible)
                f.Accessor.SetValue(msg, plausible);
            else if (f.IsMap && f.Name == "labels")
                ((System.Collections.IDictionary)f.Accessor.GetValue(msg))["sweep"] = "1";
            else if (f.FieldType == FieldType.Message && depth < 2 && !f.IsMap && f.MessageType.FullName.StartsWith("infra.", StringComparison.Ordinal))
            {
                var child = f.MessageType.Parser.ParseFrom(ByteString.Empty);
                Fill(child, service, depth + 1);
                if (child.CalculateSize() == 0) continue;
                if (f.IsRepeated) ((System.Collections.IList)f.Accessor.GetValue(msg)).Add(child);
                else f.Accessor.SetValue(msg, child);
            }
        }
    }

    /// <summary>Values that get a request past validation, so the call reaches the tenant check it sweeps
    /// (an update with something to change, a resize to a valid size).</summary>
    static object? Plausible(FieldDescriptor f) => (f.Name, f.FieldType) switch
    {
        (_, FieldType.Bool) when f.Name.StartsWith("set_", StringComparison.Ordinal) => true,
        ("size_gib", FieldType.UInt32) => 2u,
        ("size_gib", FieldType.UInt64) => 2ul,
        ("vcpus", FieldType.UInt32) => 1u,
        ("cpu_mhz", FieldType.UInt32) => 1000u,
        ("memory_mib", FieldType.UInt64) => 512ul,
        ("memory_mib", FieldType.UInt32) => 512u,
        _ => null,
    };

    /// <summary>One call of any shape: the status, and everything the server sent (as JSON) for the leak check.</summary>
    static async Task<(StatusCode Code, string Response, string Detail)> CallAsync(CallInvoker invoker, MethodDescriptor m, IMessage request)
    {
        var method = new Method<IMessage, IMessage>(
            m.IsClientStreaming ? (m.IsServerStreaming ? MethodType.DuplexStreaming : MethodType.ClientStreaming)
                : m.IsServerStreaming ? MethodType.ServerStreaming : MethodType.Unary,
            m.Service.FullName, m.Name,
            Marshallers.Create<IMessage>(x => x.ToByteArray(), bytes => m.InputType.Parser.ParseFrom(bytes)),
            Marshallers.Create<IMessage>(x => x.ToByteArray(), bytes => m.OutputType.Parser.ParseFrom(bytes)));
        // Streams that would stay open (Watch, Console) are read for a moment: what they send in it is what leaks.
        var options = new CallOptions(deadline: DateTime.UtcNow.AddSeconds(2));
        var seen = new List<string>();
        try
        {
            switch (method.Type)
            {
                case MethodType.Unary:
                    seen.Add(Text(await invoker.AsyncUnaryCall(method, null, options, request)));
                    break;
                case MethodType.ServerStreaming:
                    using (var call = invoker.AsyncServerStreamingCall(method, null, options, request))
                        await foreach (var r in call.ResponseStream.ReadAllAsync()) seen.Add(Text(r));
                    break;
                case MethodType.ClientStreaming:
                    using (var call = invoker.AsyncClientStreamingCall(method, null, options))
                    {
                        await call.RequestStream.WriteAsync(request);
                        await call.RequestStream.CompleteAsync();
                        seen.Add(Text(await call.ResponseAsync));
                    }
                    break;
                default:
                    using (var call = invoker.AsyncDuplexStreamingCall(method, null, options))
                    {
                        await call.RequestStream.WriteAsync(request);
                        await foreach (var r in call.ResponseStream.ReadAllAsync()) seen.Add(Text(r));
                    }
                    break;
            }
            return (StatusCode.OK, string.Join("\n", seen), "");
        }
        catch (RpcException e)
        {
            return (e.StatusCode, string.Join("\n", seen), e.Status.Detail);
        }
    }

    /// <summary>B's objects as the admin reads them, without what the agent reports (observed state, and the
    /// revision and update time its reports move): any change the sweep made shows as a difference.</summary>
    async Task<string> SnapshotOfBAsync()
    {
        IMessage[] parts =
        [
            await s.Tenants.GetTenantAsync(new GetTenantRequest { Id = b.Tenant.Meta.Id }),
            await s.Networks.GetNetworkAsync(new GetNetworkRequest { Id = b.Network.Meta.Id }),
            await s.Ports.GetPortAsync(new GetPortRequest { Id = b.Port.Meta.Id }),
            await s.Policies.GetPolicyAsync(new GetPolicyRequest { Id = b.Policy.Meta.Id }),
            await s.KeyPairs.GetKeyPairAsync(new GetKeyPairRequest { Id = b.KeyPair.Meta.Id }),
            await s.Images.GetImageAsync(new GetImageRequest { Id = b.Image.Meta.Id }),
            await s.Instances.GetInstanceAsync(new GetInstanceRequest { Id = b.Instance.Meta.Id }),
            await s.Volumes.GetVolumeAsync(new GetVolumeRequest { Id = b.Volume.Meta.Id }),
        ];
        return string.Join("\n", parts.Select(Stable));
    }

    static string Text(IMessage m) => m.ToString() ?? "";

    static readonly HashSet<string> Reported = ["state", "state_reason", "status", "revision", "update_time"];

    static string Stable(IMessage m)
    {
        var copy = m.Descriptor.Parser.ParseFrom(m.ToByteString());
        Clear(copy);
        return Text(copy);
    }

    static void Clear(IMessage m)
    {
        foreach (var f in m.Descriptor.Fields.InFieldNumberOrder())
        {
            if (Reported.Contains(f.Name) && !f.IsRepeated) f.Accessor.Clear(m);
            else if (f.Name == "meta" && f.Accessor.GetValue(m) is IMessage meta) Clear(meta);
        }
    }
}
