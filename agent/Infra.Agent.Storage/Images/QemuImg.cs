using System.Diagnostics;
using System.Text.Json;

namespace Infra.Agent.Storage.Images;

public enum ImageFormat { Raw, Qcow2 }

/// <summary>What qemu-img info reports about an image.</summary>
public sealed record ImageInfo(ImageFormat Format, long VirtualSize, string? BackingFile);

/// <summary>An image operation failed; Message carries qemu-img's own explanation.</summary>
public sealed class ImageToolException(string message) : Exception(message);

/// <summary>
/// Offline image work through qemu-img: create, clone (a qcow2 overlay on a base), inspect, convert.
/// RAW export and import are conversions with progress. Sources are opened read-only; exporting a
/// live volume's snapshot is safe because a snapshot's image is never written again.
/// </summary>
public sealed class QemuImg(string binary = "qemu-img")
{
    public Task CreateAsync(string path, ImageFormat format, long sizeBytes, CancellationToken ct = default) =>
        RunAsync(["create", "-q", "-f", Name(format), path, sizeBytes.ToString()], null, ct);

    /// <summary>A copy-on-write clone: a qcow2 whose backing file is the base. Takes milliseconds at any size.</summary>
    public Task CreateCloneAsync(string path, string baseImage, ImageFormat baseFormat, CancellationToken ct = default) =>
        RunAsync(["create", "-q", "-f", "qcow2", "-b", baseImage, "-F", Name(baseFormat), path], null, ct);

    public async Task<ImageInfo> InfoAsync(string path, CancellationToken ct = default)
    {
        // -U: inspecting an image a daemon holds open is fine (the header is all we read).
        var json = await RunAsync(["info", "-U", "--output=json", path], null, ct).ConfigureAwait(false);
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var format = root.GetProperty("format").GetString() switch
        {
            "raw" => ImageFormat.Raw,
            "qcow2" => ImageFormat.Qcow2,
            var other => throw new ImageToolException($"{path} is a '{other}' image; only raw and qcow2 are supported"),
        };
        var backing = root.TryGetProperty("backing-filename", out var b) ? b.GetString() : null;
        return new ImageInfo(format, root.GetProperty("virtual-size").GetInt64(), backing);
    }

    /// <summary>
    /// The absolute path of an image's backing file, or null when it has none. qemu records the
    /// name as given at creation, which may be relative to the image's own directory.
    /// </summary>
    public async Task<string?> BackingPathAsync(string image, CancellationToken ct = default)
    {
        var backing = (await InfoAsync(image, ct).ConfigureAwait(false)).BackingFile;
        return backing is null ? null : Path.GetFullPath(backing, Path.GetDirectoryName(Path.GetFullPath(image))!);
    }

    /// <summary>Converts (following the source's backing chain) with progress in percent.</summary>
    public Task ConvertAsync(string source, ImageFormat? sourceFormat, string destination, ImageFormat destinationFormat,
        IProgress<double>? progress = null, CancellationToken ct = default)
    {
        var args = new List<string> { "convert", "-p" };
        if (sourceFormat is { } sf) args.AddRange(["-f", Name(sf)]);
        args.AddRange(["-O", Name(destinationFormat), source, destination]);
        return RunAsync(args, progress, ct);
    }

    /// <summary>Writes the full contents of an image (or snapshot, with its chain) as a RAW file.</summary>
    public Task ExportRawAsync(string image, string destination, IProgress<double>? progress = null, CancellationToken ct = default) =>
        ConvertAsync(image, null, destination, ImageFormat.Raw, progress, ct);

    /// <summary>Imports a RAW or qcow2 image as a new standalone qcow2 image (no backing file).</summary>
    public async Task<ImageInfo> ImportAsync(string source, string destination, IProgress<double>? progress = null,
        CancellationToken ct = default)
    {
        if (File.Exists(destination)) throw new ImageToolException($"import target {destination} exists; pick a new path");
        var info = await InfoAsync(source, ct).ConfigureAwait(false);
        try { await ConvertAsync(source, info.Format, destination, ImageFormat.Qcow2, progress, ct).ConfigureAwait(false); }
        catch { File.Delete(destination); throw; }
        return await InfoAsync(destination, ct).ConfigureAwait(false);
    }

    public static string Name(ImageFormat f) => f switch { ImageFormat.Raw => "raw", ImageFormat.Qcow2 => "qcow2", _ => throw new ArgumentOutOfRangeException(nameof(f)) };

    private async Task<string> RunAsync(IReadOnlyList<string> args, IProgress<double>? progress, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new ImageToolException($"cannot start {binary}");
        var stderr = p.StandardError.ReadToEndAsync(ct);
        var stdout = new System.Text.StringBuilder();
        var parser = new QemuImgProgress();
        var buffer = new char[512];
        try
        {
            int n;
            while ((n = await p.StandardOutput.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                if (progress is not null) foreach (var pct in parser.Feed(buffer.AsSpan(0, n))) progress.Report(pct);
                else stdout.Append(buffer, 0, n);
            }
            await p.WaitForExitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try { p.Kill(); } catch (InvalidOperationException) { }
            throw;
        }
        if (p.ExitCode != 0)
            throw new ImageToolException($"qemu-img {args[0]} failed (exit {p.ExitCode}): {(await stderr).Trim()}");
        return stdout.ToString();
    }
}
