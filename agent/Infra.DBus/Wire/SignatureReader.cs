namespace Infra.DBus.Wire;

/// <summary>
/// Walks type signatures: splits them into single complete types and reports alignment. Signatures
/// are validated here once (depth, balance, known codes) so the reader and writer can trust them.
/// </summary>
public static class SignatureReader
{
    public const int MaxSignatureLength = 255;
    const int MaxDepth = 32;

    /// <summary>Index just past the single complete type starting at <paramref name="start"/>.</summary>
    public static int CompleteTypeEnd(string sig, int start)
    {
        int end = Walk(sig, start, 0, 0, 0);
        return end;
    }

    /// <summary>Splits "sa{sv}(ii)" into "s", "a{sv}", "(ii)"; throws on an invalid signature.</summary>
    public static List<string> Split(string sig)
    {
        if (sig.Length > MaxSignatureLength) throw new DBusProtocolException($"signature longer than {MaxSignatureLength}");
        var parts = new List<string>();
        for (int i = 0; i < sig.Length;)
        {
            int end = CompleteTypeEnd(sig, i);
            parts.Add(sig[i..end]);
            i = end;
        }
        return parts;
    }

    public static bool IsValid(string sig)
    {
        try { Split(sig); return true; }
        catch (DBusProtocolException) { return false; }
    }

    public static int Alignment(char code) => code switch
    {
        'y' or 'g' or 'v' => 1,
        'n' or 'q' => 2,
        'b' or 'i' or 'u' or 's' or 'o' or 'a' or 'h' => 4,
        'x' or 't' or 'd' or '(' or '{' => 8,
        _ => throw new DBusProtocolException($"unknown type code '{code}'"),
    };

    public static bool IsBasic(char code) => "ybnqiuxtdsogh".Contains(code);

    static int Walk(string sig, int i, int arrayDepth, int structDepth, int _)
    {
        if (i >= sig.Length) throw new DBusProtocolException($"signature '{sig}' ends inside a type");
        if (arrayDepth > MaxDepth || structDepth > MaxDepth) throw new DBusProtocolException($"signature '{sig}' nests too deep");
        char c = sig[i];
        switch (c)
        {
            case 'a':
                if (i + 1 < sig.Length && sig[i + 1] == '{')
                {
                    int k = i + 2;
                    if (k >= sig.Length || !IsBasic(sig[k])) throw new DBusProtocolException($"dict key in '{sig}' must be a basic type");
                    int v = Walk(sig, k + 1, arrayDepth + 1, structDepth + 1, 0);
                    if (v >= sig.Length || sig[v] != '}') throw new DBusProtocolException($"dict entry in '{sig}' must hold exactly two types");
                    return v + 1;
                }
                return Walk(sig, i + 1, arrayDepth + 1, structDepth, 0);
            case '(':
                {
                    int k = i + 1;
                    if (k < sig.Length && sig[k] == ')') throw new DBusProtocolException($"empty struct in '{sig}'");
                    while (k < sig.Length && sig[k] != ')') k = Walk(sig, k, arrayDepth, structDepth + 1, 0);
                    if (k >= sig.Length) throw new DBusProtocolException($"unclosed struct in '{sig}'");
                    return k + 1;
                }
            case ')' or '{' or '}':
                throw new DBusProtocolException($"unexpected '{c}' in signature '{sig}'");
            default:
                Alignment(c); // throws on unknown codes
                return i + 1;
        }
    }
}
