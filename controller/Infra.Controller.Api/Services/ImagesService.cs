using System.Security.Cryptography;
using Infra.Controller.Api.Plumbing;
using Infra.Controller.Model.Store;
using Infra.Controller.Domain.Model;
using Infra.Controller.Domain.Validation;
using Grpc.Core;
using Infra.Store;
using Infra.V1;
using DiskFormat = Infra.V1.DiskFormat;

namespace Infra.Controller.Api.Services;

/// <summary>
/// Images: ImportImage streams the bytes into the controller's image directory (a temporary file,
/// renamed into place only after the size and SHA-256 check), detects QCOW2 by its magic, then
/// commits the record. Public images (no tenant) are visible to every tenant.
/// </summary>
public sealed class ImagesService(ApiContext api) : Images.ImagesBase
{
    ObjectStore Store => api.Store;

    // <id>.qcow2 or <id>.raw: the name tells agents the format, and it is where agents look for base
    // images (agent.yaml image_dir) when this directory is shared with them or seeded on the hosts.
    public string PathOf(string imageId, DiskFormat format) =>
        Path.Combine(api.Options.ImageDirectory, imageId + (format == DiskFormat.Qcow2 ? ".qcow2" : ".raw"));

    public override async Task<Image> ImportImage(IAsyncStreamReader<ImportImageRequest> requestStream, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        if (!await requestStream.MoveNext(ct)) throw ApiErrors.Invalid("header", "the stream was empty; send the header first, then the data");
        var scope = TenantScope.Of(context);
        // A tenant's import is its own image: the tenant is forced in, so a tenant never makes a public one.
        if (requestStream.Current.Header is { } header) header.TenantId = scope.ForCreate(header.TenantId);
        var cmd = ApiErrors.Valid(ImageValidation.ValidateFirst(requestStream.Current));
        var owner = cmd.TenantId ?? "";
        if (await Store.ReplayAsync(Kinds.Image, owner, nameof(ImportImage), cmd.RequestId, ct) is { } replay) return replay;
        Stored<Tenant>? tenant = cmd.TenantId is null ? null : await Store.RequireAsync(Kinds.Tenant, cmd.TenantId, scope, ct);
        var nameKey = StoreLayout.Name(Kinds.Image.Segment, owner, cmd.Name);
        if (await Store.GetStringAsync(nameKey, ct) is { } holder) throw ApiErrors.Of(new Domain.Errors.AlreadyExists("Image", cmd.Name, holder));

        var id = ResourceId.New(IdKind.Image);
        Directory.CreateDirectory(api.Options.ImageDirectory);
        var temp = Path.Combine(api.Options.ImageDirectory, id + ".part");
        string? final = null;
        try
        {
            var (size, sha, head) = await ReceiveAsync(requestStream, temp, cmd.SizeBytes, ct);
            if (cmd.SizeBytes is { } expected && expected != (ulong)size)
                throw ApiErrors.Invalid("header.size_bytes", $"announced {expected} bytes but {size} arrived; resend the whole image");
            if (cmd.Sha256 is { } want && !string.Equals(want, sha, StringComparison.OrdinalIgnoreCase))
                throw new RpcException(new Status(StatusCode.DataLoss, $"SHA-256 of the received bytes is {sha}, not {want}; the upload was corrupted, send it again"));
            if (ImageFormat.Refusal(head) is { } refused)
                throw ApiErrors.Invalid("data", $"the uploaded image {refused}");
            var qcow2 = ImageFormat.IsQcow2(head);
            var detected = qcow2 ? Domain.Model.DiskFormat.Qcow2 : Domain.Model.DiskFormat.Raw;
            if (cmd.Format is { } said && said != detected)
                throw ApiErrors.Invalid("header.format", $"says {said} but the bytes are {detected}{(qcow2 ? " (QCOW2 magic)" : " (no QCOW2 magic)")}; fix the format or leave it unset to detect it");
            final = PathOf(id, qcow2 ? DiskFormat.Qcow2 : DiskFormat.Raw);
            File.Move(temp, final, overwrite: true);
            var image = new Image
            {
                Meta = new ObjectMeta { Id = id, Name = cmd.Name },
                TenantId = owner,
                Format = qcow2 ? DiskFormat.Qcow2 : DiskFormat.Raw,
                SizeBytes = (ulong)size,
                VirtualSizeBytes = qcow2 ? ImageFormat.Qcow2VirtualSize(head) ?? 0 : (ulong)size,
                Sha256 = sha,
                State = VolumeState.Available,
            };
            image.Meta.Labels.Add(cmd.Labels.Items);
            var plan = new CreatePlan { Scope = owner, Method = nameof(ImportImage), Name = cmd.Name, RequestId = cmd.RequestId };
            if (tenant is not null) NetworksService.Owned(plan, tenant, id, Kinds.Image.Segment);
            var (created, outcome) = await Store.CreateAsync(Kinds.Image, image, plan, ct);
            if (outcome == CreateOutcome.Replayed) File.Delete(final);
            return created;
        }
        catch
        {
            File.Delete(temp);
            if (final is not null && await Store.GetAsync(Kinds.Image, id, CancellationToken.None) is null) File.Delete(final);
            throw;
        }
    }

    static async Task<(long Size, string Sha, byte[] Head)> ReceiveAsync(IAsyncStreamReader<ImportImageRequest> stream, string path, ulong? limit, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var head = new byte[ImageFormat.HeaderBytes];
        var headLength = 0;
        long size = 0;
        await using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
        {
            while (await stream.MoveNext(ct))
            {
                var part = stream.Current;
                if (part.PartCase != ImportImageRequest.PartOneofCase.Data)
                    throw ApiErrors.Invalid("header", "a second header arrived; send the header once, then only data");
                var data = part.Data.Memory;
                size += data.Length;
                if (limit is { } max && (ulong)size > max)
                    throw ApiErrors.Invalid("header.size_bytes", $"announced {max} bytes but more arrived; fix size_bytes or leave it 0");
                if (headLength < head.Length)
                {
                    var n = Math.Min(head.Length - headLength, data.Length);
                    data.Span[..n].CopyTo(head.AsSpan(headLength));
                    headLength += n;
                }
                hash.AppendData(data.Span);
                await file.WriteAsync(data, ct);
            }
            await file.FlushAsync(ct);
            file.Flush(flushToDisk: true);
        }
        return (size, Convert.ToHexStringLower(hash.GetHashAndReset()), head[..headLength]);
    }

    public override async Task<Image> GetImage(GetImageRequest request, ServerCallContext context)
    {
        var cmd = ApiErrors.Valid(ImageValidation.Validate(request));
        return (await Store.RequireAsync(Kinds.Image, cmd.Id, TenantScope.Of(context), context.CancellationToken)).Value;
    }

    public override async Task<ListImagesResponse> ListImages(ListImagesRequest request, ServerCallContext context)
    {
        var cmd = ApiErrors.Valid(ImageValidation.Validate(request));
        var scope = TenantScope.Of(context);
        var tenant = scope.Tenant(cmd.TenantId);
        var (items, page) = await Paging.ListAsync(Store, Kinds.Image, cmd.Page, scope,
            i => tenant is null || i.TenantId.Length == 0 || i.TenantId == tenant, context.CancellationToken);
        var response = new ListImagesResponse { Page = page };
        response.Images.AddRange(items);
        return response;
    }

    /// <summary>
    /// Refused while a volume was cloned from the image: its host may not hold the base yet (a volume
    /// not yet placed, or one re-created elsewhere), and the upload is the only copy the controller has.
    /// </summary>
    public override async Task<DeleteImageResponse> DeleteImage(DeleteImageRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var cmd = ApiErrors.Valid(ImageValidation.Validate(request));
        var current = await Store.RequireToChangeAsync(Kinds.Image, cmd.Id, TenantScope.Of(context), ct);
        var i = current.Value;
        var clones = (await Store.AllAsync(Kinds.Volume, ct)).Where(v => v.SourceImageId == cmd.Id).Select(v => v.Meta.Id).Order().ToList();
        if (clones.Count > 0)
            throw ApiErrors.Precondition("IMAGE_IN_USE", cmd.Id,
                $"image {cmd.Id} is the source of volume(s) {string.Join(", ", clones)}; delete those volumes first");
        var plan = new CreatePlanOps();
        plan.Ops.Add(ObjectStore.Delete(StoreLayout.Name(Kinds.Image.Segment, i.TenantId, i.Meta.Name)));
        if (i.TenantId.Length > 0) plan.Ops.Add(ObjectStore.Delete(StoreLayout.Owned(i.TenantId, Kinds.Image.Segment, i.Meta.Id)));
        var revision = await Store.TryDeleteAsync(Kinds.Image, current, plan, ct) ?? throw ApiErrors.Contended($"deleting image {cmd.Id}");
        // No volume depends on it any more, so the upload can go.
        File.Delete(PathOf(cmd.Id, i.Format));
        return new DeleteImageResponse { Revision = revision };
    }
}
