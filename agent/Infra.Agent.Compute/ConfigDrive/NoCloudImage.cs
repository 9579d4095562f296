using System.Security.Cryptography;

namespace Infra.Agent.Compute.ConfigDrive;

/// <summary>
/// The NoCloud config drive as an ISO 9660 image labelled "cidata" with meta-data, user-data and
/// network-config. user-data is always present (empty when there is none): cloud-init's NoCloud
/// requires both meta-data and user-data on the drive.
/// </summary>
public static class NoCloudImage
{
    public const string VolumeLabel = "cidata";

    public static byte[] Build(string metaData, string networkConfig, ReadOnlySpan<byte> userData)
    {
        var utf8 = System.Text.Encoding.UTF8;
        return Iso9660Writer.Build(VolumeLabel,
        [
            new IsoFile("meta-data", utf8.GetBytes(metaData)),
            new IsoFile("network-config", utf8.GetBytes(networkConfig)),
            new IsoFile("user-data", userData.ToArray()),
        ]);
    }

    /// <summary>Hex SHA-256 of an image: what the VM record keeps to tell whether the attached medium is current.</summary>
    public static string Hash(ReadOnlySpan<byte> image) => Convert.ToHexStringLower(SHA256.HashData(image));
}
