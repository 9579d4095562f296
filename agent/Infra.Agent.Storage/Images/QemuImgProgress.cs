using System.Globalization;

namespace Infra.Agent.Storage.Images;

/// <summary>
/// Parses the progress qemu-img prints with -p: "    (12.34/100%)" records separated by '\r'.
/// Pure, fed with whatever chunks the pipe delivers; yields percentages in [0, 100].
/// </summary>
public sealed class QemuImgProgress
{
    private readonly System.Text.StringBuilder _pending = new();

    /// <summary>Feeds output text; returns every percentage completed by it.</summary>
    public IReadOnlyList<double> Feed(ReadOnlySpan<char> chunk)
    {
        var found = new List<double>();
        foreach (var c in chunk)
        {
            if (c is '\r' or '\n')
            {
                if (TryParse(_pending.ToString(), out var p)) found.Add(p);
                _pending.Clear();
            }
            else if (_pending.Length < 256) _pending.Append(c);
        }
        return found;
    }

    public static bool TryParse(string record, out double percent)
    {
        percent = 0;
        var s = record.Trim();
        if (!s.StartsWith('(') || !s.EndsWith("/100%)", StringComparison.Ordinal)) return false;
        var number = s[1..^6];
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out percent)) return false;
        percent = Math.Clamp(percent, 0, 100);
        return true;
    }
}
