using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Infra.Controller.Domain.Model;

/// <summary>
/// An SSH public key in authorized_keys form, "&lt;type&gt; &lt;base64 blob&gt; [comment]". The blob is
/// the key in SSH wire format (RFC 4253 §6.6), which starts with the type again as a length-prefixed
/// string: parsing checks that, so a truncated paste or a key with a mislabelled type is refused here
/// rather than silently ignored by sshd in the guest.
/// </summary>
public sealed record SshPublicKey(string Type, byte[] Blob, string Comment)
{
    /// <summary>Key types guests' sshd accepts by default (DSA is disabled in OpenSSH since 7.0).</summary>
    public static readonly IReadOnlyList<string> Types =
        ["ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"];

    public const int MaxLength = 16 * 1024;

    /// <summary>The line as it goes into authorized_keys: type, base64, and the comment if any.</summary>
    public string Line => Comment.Length == 0 ? $"{Type} {Convert.ToBase64String(Blob)}" : $"{Type} {Convert.ToBase64String(Blob)} {Comment}";

    /// <summary>"SHA256:&lt;unpadded base64&gt;", as ssh-keygen -l prints it.</summary>
    public string Fingerprint => "SHA256:" + Convert.ToBase64String(SHA256.HashData(Blob)).TrimEnd('=');

    /// <summary>The key, or what is wrong with the text and what to paste instead.</summary>
    public static (SshPublicKey? Key, string? Error) Parse(string text)
    {
        var line = text.Trim();
        if (line.Length == 0) return (null, "is required: one authorized_keys line, like \"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA... user@host\" (the contents of ~/.ssh/id_ed25519.pub)");
        if (line.Length > MaxLength) return (null, $"is {line.Length} characters long; an SSH public key line is at most {MaxLength}");
        if (line.Contains('\n') || line.Contains('\r')) return (null, "must be a single line: give one public key per key pair");
        if (line.StartsWith("-----BEGIN", StringComparison.Ordinal))
            return (null, "looks like a PEM file (a private key?); give the public key in OpenSSH form, the .pub file's contents");
        var parts = line.Split([' ', '\t'], 3, StringSplitOptions.RemoveEmptyEntries);
        var type = parts[0];
        if (!Types.Contains(type))
            return (null, $"key type \"{ResourceId.Clip(type)}\" is not supported; use one of {string.Join(", ", Types)}");
        if (parts.Length < 2) return (null, $"has the type {type} but no key data after it; paste the whole line of the .pub file");
        byte[] blob;
        try { blob = Convert.FromBase64String(parts[1]); }
        catch (FormatException) { return (null, $"the key data after {type} is not valid base64; paste the whole line of the .pub file unchanged"); }
        if (BlobType(blob) is not { } inner)
            return (null, $"the key data after {type} does not decode to an SSH public key (it is truncated or not a key)");
        if (inner != type) return (null, $"the line says {type} but the key data is a {ResourceId.Clip(inner)} key");
        if (type == "ssh-ed25519" && blob.Length != 4 + 11 + 4 + 32)
            return (null, "the ssh-ed25519 key data has the wrong length (a key is 32 bytes); paste the whole line of the .pub file");
        var comment = parts.Length > 2 ? parts[2].Trim() : "";
        return (new SshPublicKey(type, blob, comment), null);
    }

    /// <summary>The type string at the start of a wire-format key, or null when there is none.</summary>
    static string? BlobType(byte[] blob)
    {
        if (blob.Length < 4) return null;
        var n = BinaryPrimitives.ReadUInt32BigEndian(blob);
        if (n is 0 or > 64 || 4 + n > blob.Length) return null;
        var s = blob.AsSpan(4, (int)n);
        foreach (var b in s) if (b is < 0x21 or > 0x7e) return null;
        // Something must follow the type (the key material itself).
        return 4 + n < blob.Length ? Encoding.ASCII.GetString(s) : null;
    }
}
