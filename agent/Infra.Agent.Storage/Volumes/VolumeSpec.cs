using System.Text.RegularExpressions;

namespace Infra.Agent.Storage.Volumes;

/// <summary>Where a volume's bytes live.</summary>
public abstract record VolumeBackend;

/// <summary>A raw file on local disk.</summary>
public sealed record RawFileBackend(string Path) : VolumeBackend;

/// <summary>A qcow2 file on local disk (its backing chain, if any, is opened from its header).</summary>
public sealed record Qcow2Backend(string Path) : VolumeBackend;

/// <summary>A copy-on-write qcow2 clone of a base image, created on first serve (instant: only a header).</summary>
public sealed record Qcow2CloneBackend(string Path, string BaseImage, Images.ImageFormat BaseFormat) : VolumeBackend;

/// <summary>Any NBD export, e.g. another host's storage daemon.</summary>
public sealed record NbdBackend(NbdAddress Server, string ExportName) : VolumeBackend;

/// <summary>An NBD server address: a unix socket path or host:port.</summary>
public sealed record NbdAddress(string? UnixSocket = null, string? Host = null, int Port = 10809)
{
    public static NbdAddress Unix(string path) => new(UnixSocket: path);
    public static NbdAddress Tcp(string host, int port = 10809) => new(Host: host, Port: port);
}

/// <summary>One volume to serve. Id names its daemon and run dir, so it must be short and plain.</summary>
public sealed partial record VolumeSpec(string Id, VolumeBackend Backend, bool ReadOnly = false)
{
    /// <summary>Every problem at once, each saying what to change; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrEmpty(Id) || !IdPattern().IsMatch(Id))
            errors.Add($"volume id '{Id}' must be 1-40 characters of letters, digits, '-' or '_', starting with a letter");
        void AbsolutePath(string what, string? p)
        {
            if (string.IsNullOrEmpty(p) || !System.IO.Path.IsPathFullyQualified(p))
                errors.Add($"{what} '{p}' must be an absolute path");
        }
        switch (Backend)
        {
            case RawFileBackend r: AbsolutePath("raw file", r.Path); break;
            case Qcow2Backend q: AbsolutePath("qcow2 file", q.Path); break;
            case Qcow2CloneBackend c:
                AbsolutePath("clone file", c.Path);
                AbsolutePath("clone base image", c.BaseImage);
                if (c.Path == c.BaseImage) errors.Add("clone file and base image must differ");
                break;
            case NbdBackend n:
                if (string.IsNullOrEmpty(n.ExportName)) errors.Add("NBD export name is empty");
                if ((n.Server.UnixSocket is null) == (n.Server.Host is null))
                    errors.Add("NBD server needs exactly one of a unix socket path or a host");
                if (n.Server.UnixSocket is { } s) AbsolutePath("NBD unix socket", s);
                if (n.Server.Host is not null && n.Server.Port is < 1 or > 65535)
                    errors.Add($"NBD port {n.Server.Port} must be 1-65535");
                break;
            case null: errors.Add("volume backend is missing"); break;
        }
        return errors;
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]{0,39}$")]
    private static partial Regex IdPattern();
}
