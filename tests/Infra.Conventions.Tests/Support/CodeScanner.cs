using System.Text;

namespace Infra.Conventions.Tests.Support;

/// <summary>
/// A one-pass lexer for C#-like text that knows just enough to skip comments without being fooled by
/// "//" inside string literals (URLs): regular, verbatim and raw strings, char literals, // and /* */.
/// It yields identifiers; those inside strings are marked, so callers can count wire names used in
/// strings without mistaking them for declarations. Regexes over 2.6 MB of source took seconds.
/// </summary>
public static class CodeScanner
{
    public readonly record struct Token(string Text, bool InString);

    public static List<Token> Identifiers(string text, StringBuilder? code = null)
    {
        var tokens = new List<Token>();
        var i = 0;
        var n = text.Length;
        while (i < n)
        {
            var c = text[i];
            if (c == '/' && i + 1 < n && text[i + 1] == '/')
            {
                while (i < n && text[i] != '\n') i++;
                continue;
            }
            if (c == '/' && i + 1 < n && text[i + 1] == '*')
            {
                var end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? n : end + 2;
                code?.Append(' ');
                continue;
            }
            if (c == '"')
            {
                var start = i;
                i = StringEnd(text, i);
                ScanPlain(text, start, i, tokens, inString: true);
                code?.Append(text, start, i - start);
                continue;
            }
            if (c == '\'')
            {
                var j = i + 1;
                if (j < n && text[j] == '\\') j += 2; else j++;
                while (j < n && j - i < 12 && text[j] != '\'' && text[j] != '\n') j++; // '\u0041'
                j = j < n && text[j] == '\'' ? j + 1 : i + 1;
                code?.Append(text, i, j - i);
                i = j;
                continue;
            }
            if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < n && (char.IsLetterOrDigit(text[i]) || text[i] == '_')) i++;
                tokens.Add(new Token(text[start..i], false));
                code?.Append(text, start, i - start);
                continue;
            }
            code?.Append(c);
            i++;
        }
        return tokens;
    }

    /// <summary>Index just past the string literal whose opening quote is at <paramref name="q"/>.</summary>
    static int StringEnd(string text, int q)
    {
        var n = text.Length;
        var quotes = 0;
        while (q + quotes < n && text[q + quotes] == '"') quotes++;
        if (quotes >= 3) // raw string: closed by the same number of quotes
        {
            var close = text.IndexOf(new string('"', quotes), q + quotes, StringComparison.Ordinal);
            return close < 0 ? n : close + quotes;
        }
        if (quotes == 2) return q + 2; // ""
        var verbatim = q > 0 && text[q - 1] == '@' || q > 1 && text[q - 1] == '$' && text[q - 2] == '@';
        var i = q + 1;
        while (i < n)
        {
            var c = text[i];
            if (verbatim)
            {
                if (c == '"') { if (i + 1 < n && text[i + 1] == '"') { i += 2; continue; } return i + 1; }
            }
            else
            {
                if (c == '\\') { i += 2; continue; }
                if (c == '"') return i + 1;
                if (c == '\n') return i; // unterminated: stop at the line's end
            }
            i++;
        }
        return n;
    }

    static void ScanPlain(string text, int from, int to, List<Token> tokens, bool inString)
    {
        var i = from;
        while (i < to)
        {
            if (char.IsLetter(text[i]) || text[i] == '_')
            {
                var start = i;
                while (i < to && (char.IsLetterOrDigit(text[i]) || text[i] == '_')) i++;
                tokens.Add(new Token(text[start..i], inString));
            }
            else i++;
        }
    }
}
