using System.Text;

namespace Infra.Grpc.Protocol;

/// <summary>grpc-message percent-encoding: UTF-8 bytes, with anything outside 0x20-0x7E and '%' as %XX.</summary>
public static class StatusMessage
{
    public static string Encode(string message)
    {
        var needs = false;
        foreach (var c in message) if (c < 0x20 || c > 0x7E || c == '%') { needs = true; break; }
        if (!needs) return message;
        var sb = new StringBuilder(message.Length * 2);
        foreach (var b in Encoding.UTF8.GetBytes(message))
        {
            if (b < 0x20 || b > 0x7E || b == '%') sb.Append('%').Append(b.ToString("X2"));
            else sb.Append((char)b);
        }
        return sb.ToString();
    }

    /// <summary>Decodes leniently: a malformed escape is kept as written rather than failing the call.</summary>
    public static string Decode(string value)
    {
        if (value.IndexOf('%') < 0) return value;
        var bytes = new List<byte>(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '%' && i + 2 < value.Length && IsHex(value[i + 1]) && IsHex(value[i + 2]))
            {
                bytes.Add(Convert.ToByte(value.Substring(i + 1, 2), 16));
                i += 2;
            }
            else bytes.Add((byte)value[i]);
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    static bool IsHex(char c) => c is >= '0' and <= '9' or >= 'a' and <= 'f' or >= 'A' and <= 'F';
}
