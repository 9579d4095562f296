using System.CommandLine;
using System.Security.Cryptography;
using Google.Protobuf;
using Infra.Ctl.Cli;
using Infra.Ctl.Errors;
using Infra.Ctl.Output;
using Infra.V1;
using Command = System.CommandLine.Command;

namespace Infra.Ctl.Commands;

/// <summary>infractl image import|get|list|delete</summary>
public static class ImageCommands
{
    public const int ChunkSize = 1 << 20;

    public static Command Build(CommandKit kit)
    {
        var noun = new Command("image", "Images: read-only templates boot volumes are cloned from");

        var file = new Argument<string>("file") { Description = "The RAW or QCOW2 image file" };
        var tenant = Opt.Tenant(false); tenant.Description = "Owning tenant (omit for a public image; operators only)";
        var name = Opt.Name(true, "image"); var labels = Opt.Labels();
        var format = Opt.Choice("--format", "raw or qcow2 (default: detected by the controller)", "raw", "qcow2");
        var noProgress = new Option<bool>("--no-progress") { Description = "No progress bar on stderr" };
        var import = new Command("import", "Upload an image (sha256 computed locally and checked by the controller)") { file, tenant, name, format, labels, noProgress };
        noun.Subcommands.Add(kit.Custom(import,
            (p, rc) => BuildHeader(p.GetValue(tenant), p.GetValue(name)!, p.GetValue(format), Specs.Labels(p.GetValue(labels)), rc.RequestId, 0, ""),
            async s =>
            {
                var p = s.Parse;
                var path = p.GetValue(file)!;
                if (!File.Exists(path)) throw new UsageException($"image file {path} does not exist");
                var (size, sha) = await HashFileAsync(path, s.CancellationToken);
                var header = BuildHeader(p.GetValue(tenant), p.GetValue(name)!, p.GetValue(format), Specs.Labels(p.GetValue(labels)), kit.Context(p).RequestId, size, sha);
                var image = await UploadAsync(s, path, header, new Progress(s.Err, "import", !p.GetValue(noProgress)));
                s.Print(image, (r, w) => Render.Images([r], w));
                return ExitCodes.Ok;
            }, c => c.Images.ImportImage(null!)));

        var id = Opt.Id("image");
        noun.Subcommands.Add(kit.Unary(new Command("get", "Show one image") { id }, (c, r, o) => c.Images.GetImageAsync(r, o),
            (p, _) => new GetImageRequest { Id = p.GetValue(id)! }, (r, w) => Render.Images([r], w)));

        var ltenant = Opt.Tenant(false); ltenant.Description = "Images visible to this tenant (its own and public ones)";
        var size = Opt.PageSize(); var token = Opt.PageToken();
        noun.Subcommands.Add(kit.Unary(new Command("list", "List images") { ltenant, size, token }, (c, r, o) => c.Images.ListImagesAsync(r, o),
            (p, _) => new ListImagesRequest { TenantId = p.GetValue(ltenant) ?? "", Page = Opt.Page(p, size, token) },
            (r, w) => { Render.Images(r.Images, w); Opt.MorePages(r.Page, w); }));

        var did = Opt.Id("image");
        noun.Subcommands.Add(kit.Unary(new Command("delete", "Delete an image (refused while volumes are cloned from it)") { did }, (c, r, o) => c.Images.DeleteImageAsync(r, o),
            (p, _) => new DeleteImageRequest { Id = p.GetValue(did)! }, (q, r, w) => Render.Deleted("image", q.Id, r.Revision, w)));
        return noun;
    }

    public static ImportImageRequest BuildHeader(string? tenant, string name, string? format, Dictionary<string, string> labels, string requestId, ulong size, string sha256) =>
        new()
        {
            Header = new ImportImageHeader
            {
                RequestId = requestId, TenantId = tenant ?? "", Name = name, SizeBytes = size, Sha256 = sha256, Labels = { labels },
                Format = format is null ? DiskFormat.Unspecified : Enums.Parse<DiskFormat>(format, "--format"),
            },
        };

    public static async Task<(ulong Size, string Sha256)> HashFileAsync(string path, CancellationToken ct)
    {
        await using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, ChunkSize, useAsync: true);
        var hash = await SHA256.HashDataAsync(f, ct);
        return ((ulong)f.Length, Convert.ToHexStringLower(hash));
    }

    // Client streaming: the header, then the file in order. WriteAsync waits for HTTP/2 flow control, so a slow
    // controller slows the reader here instead of buffering the image in memory.
    static async Task<Image> UploadAsync(CtlSession s, string path, ImportImageRequest header, Progress progress)
    {
        using var call = s.Rpc.Images.ImportImage(s.Call(streaming: true));
        await call.RequestStream.WriteAsync(header, s.CancellationToken);
        await using (var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, ChunkSize, useAsync: true))
        {
            var buffer = new byte[ChunkSize];
            ulong sent = 0;
            int n;
            while ((n = await f.ReadAtLeastAsync(buffer, ChunkSize, throwOnEndOfStream: false, s.CancellationToken)) > 0)
            {
                try { await call.RequestStream.WriteAsync(new ImportImageRequest { Data = ByteString.CopyFrom(buffer, 0, n) }, s.CancellationToken); }
                catch (global::Grpc.Core.RpcException)
                {
                    // The server ended the call early (bad header, quota): its status says why, not the failed write.
                    progress.Done();
                    return await call.ResponseAsync;
                }
                sent += (ulong)n;
                progress.Report(sent, header.Header.SizeBytes);
            }
        }
        await call.RequestStream.CompleteAsync();
        progress.Done();
        return await call.ResponseAsync;
    }
}
