using System.Text;

namespace Infra.Controller.Southbound.Session;

/// <summary>
/// Free text an agent sends that ends up in stored objects and logs (state reasons, port errors, nack
/// errors): capped, so one host cannot grow the store, every List answer and every Watch event without
/// bound. The cap is in UTF-8 bytes (what the store holds) and cuts on a character boundary.
/// </summary>
public static class AgentText
{
    /// <summary>The most bytes of agent text one field keeps, marker included.</summary>
    public const int MaxBytes = 1024;
    public const string Marker = " ...(truncated)";

    public static string Cap(string text)
    {
        if (text.Length <= MaxBytes / 3 || Encoding.UTF8.GetByteCount(text) <= MaxBytes) return text;
        var budget = MaxBytes - Encoding.UTF8.GetByteCount(Marker);
        int used = 0, i = 0;
        while (i < text.Length)
        {
            var width = char.IsSurrogatePair(text, i) ? 2 : 1;
            var bytes = Encoding.UTF8.GetByteCount(text.AsSpan(i, width));
            if (used + bytes > budget) break;
            used += bytes;
            i += width;
        }
        return text[..i] + Marker;
    }
}
