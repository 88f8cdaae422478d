using System.Text;

namespace Ashlar.Cli;

/// <summary>
/// Columns aligned like docker's tables (text/tabwriter with minwidth 10, padding 3): every column but the last is
/// as wide as its widest cell plus 3, and at least 10.
/// </summary>
internal sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [headers];

    public void Add(params string[] cells) => _rows.Add(cells);

    public override string ToString()
    {
        var columns = _rows.Max(r => r.Length);
        var widths = Enumerable.Range(0, columns).Select(c => Math.Max(10, _rows.Max(r => c < r.Length ? r[c].Length : 0) + 3)).ToArray();
        var text = new StringBuilder();
        foreach (var row in _rows)
        {
            for (var c = 0; c < row.Length; c++)
                text.Append(c == row.Length - 1 ? row[c] : row[c].PadRight(widths[c]));
            text.Append('\n');
        }
        return text.ToString();
    }
}
