using System.Globalization;
using System.Text;

namespace Infra.Controller.Southbound.Guest;

/// <summary>
/// A minimal block-style YAML writer for the NoCloud files: maps, sequences and scalars, two-space
/// indent, every string double-quoted (so "no", "on", "1e3", "fd00::1" or a MAC never turn into
/// booleans, numbers or sexagesimals under YAML 1.1, which is what cloud-init's PyYAML speaks).
/// Integers and booleans are written bare. The output is the subset the small guest image's
/// yaml.awk reads too.
/// </summary>
public sealed class NoCloudYaml
{
    readonly StringBuilder _b = new();
    int _indent;

    public NoCloudYaml Comment(string text) { Line("# " + text); return this; }

    /// <summary>"key: value" with a quoted string.</summary>
    public NoCloudYaml Str(string key, string value) { Line($"{key}: {Quote(value)}"); return this; }

    /// <summary>"key: 1450".</summary>
    public NoCloudYaml Int(string key, long value) { Line($"{key}: {value.ToString(CultureInfo.InvariantCulture)}"); return this; }

    /// <summary>"key: true".</summary>
    public NoCloudYaml Bool(string key, bool value) { Line($"{key}: {(value ? "true" : "false")}"); return this; }

    /// <summary>"key:" and a nested map written by <paramref name="body"/>.</summary>
    public NoCloudYaml Map(string key, Action<NoCloudYaml> body)
    {
        Line(key + ":");
        _indent++;
        body(this);
        _indent--;
        return this;
    }

    /// <summary>"key:" and a sequence of quoted strings ("key: []" when empty).</summary>
    public NoCloudYaml Strs(string key, IEnumerable<string> items)
    {
        var list = items.ToList();
        if (list.Count == 0) { Line(key + ": []"); return this; }
        Line(key + ":");
        foreach (var s in list) Line("  - " + Quote(s));
        return this;
    }

    /// <summary>"key:" and a sequence of maps, each written by <paramref name="item"/> ("key: []" when empty).</summary>
    public NoCloudYaml Maps<T>(string key, IReadOnlyList<T> items, Action<NoCloudYaml, T> item)
    {
        if (items.Count == 0) { Line(key + ": []"); return this; }
        Line(key + ":");
        foreach (var x in items)
        {
            // "- " then the map's first key on the same line; its other keys align under it.
            var inner = new NoCloudYaml();
            item(inner, x);
            var lines = inner.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            for (var i = 0; i < lines.Length; i++) Line((i == 0 ? "  - " : "    ") + lines[i]);
        }
        return this;
    }

    void Line(string text) => _b.Append(' ', 2 * _indent).Append(text).Append('\n');

    public override string ToString() => _b.ToString();

    /// <summary>A YAML double-quoted scalar: backslash, quote and control characters escaped.</summary>
    public static string Quote(string s)
    {
        var b = new StringBuilder(s.Length + 2).Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': b.Append("\\\""); break;
                case '\\': b.Append("\\\\"); break;
                case '\n': b.Append("\\n"); break;
                case '\t': b.Append("\\t"); break;
                default:
                    if (char.IsControl(c)) b.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else b.Append(c);
                    break;
            }
        }
        return b.Append('"').ToString();
    }
}
