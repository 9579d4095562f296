using System.Security.Cryptography;

namespace Infra.Controller.Domain.Model;

/// <summary>Kinds of server-assigned ids; the prefix lets a reader (and a validator) tell them apart.</summary>
public enum IdKind { Tenant, Network, Policy, Port, Instance, Volume, Snapshot, Image, Rule, KeyPair }

/// <summary>
/// Ids are "&lt;prefix&gt;-&lt;16 base32 chars&gt;": 80 random bits (collision odds stay negligible
/// far beyond any cluster's object count), lower-case RFC 4648 alphabet so ids are DNS- and
/// file-name-safe and never contain look-alike digits 0/1/8/9.
/// </summary>
public static class ResourceId
{
    public const int SuffixLength = 16;
    const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    public static string Prefix(IdKind kind) => kind switch
    {
        IdKind.Tenant => "ten",
        IdKind.Network => "net",
        IdKind.Policy => "pol",
        IdKind.Port => "prt",
        IdKind.Instance => "ins",
        IdKind.Volume => "vol",
        IdKind.Snapshot => "snp",
        IdKind.Image => "img",
        IdKind.Rule => "rul",
        IdKind.KeyPair => "key",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown id kind"),
    };

    /// <summary>A new id from the system CSPRNG.</summary>
    public static string New(IdKind kind) => New(kind, RandomNumberGenerator.Fill);

    /// <summary>A new id from the given byte source (tests pass a seeded one).</summary>
    public static string New(IdKind kind, SpanAction fill)
    {
        Span<byte> random = stackalloc byte[10];
        fill(random);
        Span<char> text = stackalloc char[SuffixLength];
        // 10 bytes = 80 bits = 16 groups of 5 bits, most significant first.
        UInt128 bits = 0;
        foreach (var b in random) bits = (bits << 8) | b;
        for (var i = SuffixLength - 1; i >= 0; i--)
        {
            text[i] = Alphabet[(int)(bits & 31)];
            bits >>= 5;
        }
        return $"{Prefix(kind)}-{text}";
    }

    public delegate void SpanAction(Span<byte> buffer);

    public static bool IsValid(string id, IdKind kind) => Check(id, kind) is null;

    /// <summary>Null when valid, else what is wrong and what a valid id looks like.</summary>
    public static string? Check(string id, IdKind kind)
    {
        var prefix = Prefix(kind);
        var example = $"{prefix}-{new string('a', SuffixLength)}";
        if (id.Length != prefix.Length + 1 + SuffixLength || !id.StartsWith(prefix + "-", StringComparison.Ordinal))
            return $"\"{Clip(id)}\" is not {Noun(kind)}; ids look like {example}";
        foreach (var c in id.AsSpan(prefix.Length + 1))
            if (!Alphabet.Contains(c))
                return $"\"{Clip(id)}\" is not {Noun(kind)}: after \"{prefix}-\" only a-z and 2-7 may follow (like {example})";
        return null;
    }

    static string Noun(IdKind kind)
    {
        var name = kind == IdKind.KeyPair ? "key pair" : kind.ToString().ToLowerInvariant();
        return $"{("aeiou".Contains(name[0]) ? "an" : "a")} {name} id";
    }

    internal static string Clip(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
