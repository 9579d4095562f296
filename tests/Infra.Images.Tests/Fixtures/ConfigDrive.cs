namespace Infra.Images.Tests.Fixtures;

/// <summary>A NoCloud config drive: an ISO 9660 image labelled cidata, made with genisoimage as cloud-localds does.</summary>
public static class ConfigDrive
{
    public static string Write(string dir, string metaData, string? networkConfig = null, string? userData = null)
    {
        var src = Directory.CreateDirectory(Path.Combine(dir, "cidata")).FullName;
        File.WriteAllText(Path.Combine(src, "meta-data"), metaData);
        if (networkConfig is not null) File.WriteAllText(Path.Combine(src, "network-config"), networkConfig);
        if (userData is not null) File.WriteAllText(Path.Combine(src, "user-data"), userData);
        var iso = Path.Combine(dir, "cidata.iso");
        Infra.TestHosts.Cmd.Run("genisoimage", ["-quiet", "-V", "cidata", "-J", "-r", "-o", iso, .. Directory.GetFiles(src)]);
        return iso;
    }
}
