using System.Security.Cryptography;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Infra.V1;
using GrpcStatus = Grpc.Core.Status;
using StatusCode = Grpc.Core.StatusCode;

namespace Infra.Ctl.Tests.Support;

public sealed class ScriptedNetworks(Script script) : Networks.NetworksBase
{
    public override Task<Network> CreateNetwork(CreateNetworkRequest request, ServerCallContext context)
    {
        script.Record(request, context);
        if (request.Name == "bad")
        {
            var bad = new BadRequest();
            bad.FieldViolations.Add(new BadRequest.Types.FieldViolation { Field = "subnets[0].cidr", Description = "must be a CIDR such as 10.0.0.0/24" });
            var status = new Google.Rpc.Status { Code = (int)StatusCode.InvalidArgument, Message = "1 field is invalid", Details = { Any.Pack(bad) } };
            throw RpcStatusDetails.WithDetails(new GrpcStatus(StatusCode.InvalidArgument, "1 field is invalid"), status.ToByteArray());
        }
        if (request.Name == "taken")
            throw new RpcException(new GrpcStatus(StatusCode.AlreadyExists, $"network 'taken' already exists in tenant {request.TenantId}"));
        return Task.FromResult(new Network
        {
            Meta = new ObjectMeta { Id = "net-1", Name = request.Name, Revision = 5 }, TenantId = request.TenantId, Subnets = { request.Subnets }, Mtu = 1450,
        });
    }

    public override Task<Network> GetNetwork(GetNetworkRequest request, ServerCallContext context)
    {
        script.Record(request, context);
        var info = new ResourceInfo { ResourceType = "network", ResourceName = request.Id };
        var status = new Google.Rpc.Status { Code = (int)StatusCode.NotFound, Details = { Any.Pack(info) } };
        throw RpcStatusDetails.WithDetails(new GrpcStatus(StatusCode.NotFound, ""), status.ToByteArray());
    }

    public override async Task<ListNetworksResponse> ListNetworks(ListNetworksRequest request, ServerCallContext context)
    {
        script.Record(request, context);
        if (request.TenantId == "slow") await Task.Delay(TimeSpan.FromSeconds(30), context.CancellationToken);
        return new ListNetworksResponse { Page = new PageResponse { NextPageToken = "p2" } };
    }
}

public sealed class ScriptedPolicies(Script script) : Policies.PoliciesBase
{
    static Policy Current(long revision) => new()
    {
        Meta = new ObjectMeta { Id = "pol-1", Name = "web", Revision = revision }, TenantId = "ten-1",
        Rules = { new Rule { Id = "r1", Direction = Direction.Ingress, Protocol = Protocol.Tcp, PortMin = 22, PortMax = 22 } },
    };

    public override Task<Policy> GetPolicy(GetPolicyRequest request, ServerCallContext context)
    {
        script.Record(request, context);
        return Task.FromResult(Current(10 + script.Requests.OfType<UpdatePolicyRequest>().Count()));
    }

    public override Task<Policy> UpdatePolicy(UpdatePolicyRequest request, ServerCallContext context)
    {
        script.Record(request, context);
        if (script.AbortFirstPolicyUpdates-- > 0)
            throw new RpcException(new GrpcStatus(StatusCode.Aborted, $"policy pol-1 is not at revision {request.ExpectedRevision}"));
        var p = Current(request.ExpectedRevision + 1);
        p.Rules.Clear();
        p.Rules.Add(request.Rules.Select((r, i) => { var c = r.Clone(); if (c.Id.Length == 0) c.Id = $"r{i + 1}"; return c; }));
        return Task.FromResult(p);
    }
}

public sealed class ScriptedVolumes(Script script) : Volumes.VolumesBase
{
    public override async Task ExportVolume(ExportVolumeRequest request, IServerStreamWriter<ExportChunk> responseStream, ServerCallContext context)
    {
        script.Record(request, context);
        var image = script.ExportImage;
        var chunk = request.ChunkSize == 0 ? 1 << 20 : (int)request.ChunkSize;
        var sha = Convert.ToHexStringLower(SHA256.HashData(image));
        if (script.CorruptExportChecksum) sha = new string('0', 64);
        for (int offset = 0, sent = 0; offset < image.Length; offset += chunk, sent++)
        {
            if (sent == script.BreakExportAfterChunks) throw new RpcException(new GrpcStatus(StatusCode.Unavailable, "host agent went away"));
            var n = Math.Min(chunk, image.Length - offset);
            var last = offset + n >= image.Length;
            await responseStream.WriteAsync(new ExportChunk
            {
                Offset = (ulong)offset, Data = ByteString.CopyFrom(image, offset, n), TotalBytes = (ulong)image.Length,
                DoneBytes = (ulong)(offset + n), Sha256 = last ? sha : "",
            });
        }
    }
}

public sealed class ScriptedImages(Script script) : Images.ImagesBase
{
    public override async Task<Image> ImportImage(IAsyncStreamReader<ImportImageRequest> requestStream, ServerCallContext context)
    {
        if (!await requestStream.MoveNext(context.CancellationToken) || requestStream.Current.PartCase != ImportImageRequest.PartOneofCase.Header)
            throw new RpcException(new GrpcStatus(StatusCode.InvalidArgument, "the first message must be the header"));
        var header = requestStream.Current.Header;
        script.Record(header, context);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        ulong size = 0;
        while (await requestStream.MoveNext(context.CancellationToken))
        {
            hash.AppendData(requestStream.Current.Data.Span);
            size += (ulong)requestStream.Current.Data.Length;
        }
        var sha = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (sha != header.Sha256 || size != header.SizeBytes)
            throw new RpcException(new GrpcStatus(StatusCode.DataLoss, $"received {size} bytes hashing to {sha}, header said {header.SizeBytes} bytes {header.Sha256}"));
        return new Image { Meta = new ObjectMeta { Id = "img-1", Name = header.Name }, TenantId = header.TenantId, Format = DiskFormat.Raw, SizeBytes = size, VirtualSizeBytes = size, Sha256 = sha, State = VolumeState.Available };
    }
}

/// <summary>First watch: revisions 1 and 2, then the stream breaks (UNAVAILABLE). Later watches resume from start_revision.</summary>
public sealed class ScriptedChanges(Script script) : Changes.ChangesBase
{
    public override async Task Watch(WatchRequest request, IServerStreamWriter<WatchEvent> responseStream, ServerCallContext context)
    {
        script.Record(request, context);
        var call = Interlocked.Increment(ref script.WatchCalls);
        for (var rev = request.StartRevision + 1; rev <= request.StartRevision + 2; rev++)
            await responseStream.WriteAsync(Event(rev));
        if (call == 1) throw new RpcException(new GrpcStatus(StatusCode.Unavailable, "controller restarting"));
        await responseStream.WriteAsync(new WatchEvent { Revision = request.StartRevision + 2, Type = EventType.Bookmark });
        await Task.Delay(Timeout.Infinite, context.CancellationToken);
    }

    static WatchEvent Event(long rev) => new()
    {
        Revision = rev, Type = rev == 1 ? EventType.Created : EventType.Updated,
        Instance = new Instance { Meta = new ObjectMeta { Id = "i-1", Name = "web", Revision = rev }, State = InstanceState.Running },
    };
}
