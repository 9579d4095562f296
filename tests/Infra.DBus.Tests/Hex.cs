namespace Infra.DBus.Tests;

static class Hex
{
    /// <summary>"01 00 0a" or "01000a" to bytes; spaces are for the reader.</summary>
    public static byte[] Parse(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    /// <summary>Latin-1 text with \0-style escapes to bytes, for frames that are mostly ASCII.</summary>
    public static byte[] Latin1(string s) => System.Text.Encoding.Latin1.GetBytes(s);
}
