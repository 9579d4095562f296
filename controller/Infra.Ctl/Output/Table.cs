namespace Infra.Ctl.Output;

/// <summary>
/// Plain aligned columns (no box drawing, no colour) so the table survives pipes, grep and narrow logs.
/// Columns are separated by two spaces; the last column is not padded; empty cells show as "-".
/// </summary>
public sealed class Table(params string[] headers)
{
    readonly List<string[]> _rows = new();

    public Table Row(params object?[] cells)
    {
        if (cells.Length != headers.Length) throw new ArgumentException($"row has {cells.Length} cells, table has {headers.Length} columns");
        _rows.Add(cells.Select(c => c switch { null => "-", string { Length: 0 } => "-", _ => c.ToString() ?? "-" }).ToArray());
        return this;
    }

    public int Count => _rows.Count;

    public void WriteTo(TextWriter w)
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length))).ToArray();
        Write(w, headers, widths);
        foreach (var r in _rows) Write(w, r, widths);
    }

    static void Write(TextWriter w, string[] cells, int[] widths)
    {
        for (var i = 0; i < cells.Length; i++)
        {
            if (i == cells.Length - 1) w.Write(cells[i]);
            else w.Write(cells[i].PadRight(widths[i] + 2));
        }
        w.WriteLine();
    }
}
