namespace Infra.Controller.Hosting;

/// <summary>The URL clients use, from Kestrel's bound address (which knows the real port when --listen asked for 0).</summary>
public static class ReadyUrl
{
    public static string From(string kestrelAddress, bool tls)
    {
        var uri = new Uri(kestrelAddress);
        return $"{(tls ? "https" : "http")}://{uri.Authority}";
    }

    /// <summary>Written to a temporary file and renamed, so a reader never sees half a URL.</summary>
    public static void Write(string path, string url)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } dir) Directory.CreateDirectory(dir);
        var temp = path + ".tmp";
        File.WriteAllText(temp, url + "\n");
        File.Move(temp, path, overwrite: true);
    }
}
