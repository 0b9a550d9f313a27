using System.Globalization;
using System.Text;

namespace Simile.Data;

/// <summary>Whether a file has a header row / a first column of item names: detect it, or force it.</summary>
public enum Presence { Auto, Yes, No }

/// <summary>How to read a matrix file. Defaults detect the header row and the names column.</summary>
public sealed record MatrixReadOptions
{
    public Presence Header { get; init; } = Presence.Auto;
    public Presence RowNames { get; init; } = Presence.Auto;
    public static MatrixReadOptions Default { get; } = new();
}

/// <summary>
/// An items × features matrix read from a file, with the item names (first column of a CSV/TSV, or the
/// word-list sidecar of a .npy) and column names (the CSV/TSV header) when the file had them.
/// </summary>
public sealed record LabeledMatrix(Matrix Values, IReadOnlyList<string>? RowNames, IReadOnlyList<string>? ColumnNames, string Path)
{
    public int Rows => Values.Rows;
    public int Cols => Values.Cols;

    /// <summary>The name of row <paramref name="i"/> (0-based) for messages: "row 5 ('comet')" or "row 5".</summary>
    public string DescribeRow(int i) => RowNames is null ? $"row {i + 1}" : $"row {i + 1} ('{RowNames[i]}')";

    /// <summary>As a <see cref="VectorSet"/>; rows without names are called "row1", "row2", …</summary>
    public VectorSet ToVectorSet() => new(
        RowNames ?? Enumerable.Range(1, Rows).Select(i => "row" + i.ToString(CultureInfo.InvariantCulture)).ToList(),
        Values, Path);
}

/// <summary>
/// Reads and writes items × features matrices: CSV (<c>.csv</c>, comma), TSV (<c>.tsv</c>/<c>.tab</c>, tab),
/// <c>.txt</c> (tab if the first line has one, else comma, else runs of whitespace as <c>numpy.savetxt</c> writes,
/// with '#' comment lines) and NumPy <c>.npy</c> (see <see cref="NpyFile"/>).
/// <para>
/// CSV/TSV: one row per item. Fields may be double-quoted (RFC 4180, "" for a quote) and are trimmed;
/// blank lines are skipped. Auto-detection (override with <see cref="MatrixReadOptions"/>):
/// the <b>first column holds item names</b> when the first cell of the first data row is not a number;
/// the <b>first row is a header</b> when all of its cells after the first are (non-empty) text; when it is exactly
/// pandas' default column labels (0..k−1, or an empty corner then 0..k−1 or 1..k — the empty corner also marks the first
/// column as item labels); when a text corner stands over 0..k−1 or 1..k (k ≥ 3); or when its first cell is text and
/// the next row's first cell is a number.
/// A first row with only some text cells is data, so a typo there is reported rather than taken for a header. Values are parsed with the invariant culture (dot decimal separator). NaN/Inf cells, ragged rows,
/// non-numeric cells and duplicate item names are errors that name file, line and column.
/// </para>
/// <para>.npy: 1-D (n values, read as n×1) or 2-D float32/float64. Item names come from a sidecar next to
/// it, <c>NAME.words.tsv</c> (word-list format, header <c>word</c>) or <c>NAME.words.txt</c> (one word a line).</para>
/// </summary>
public static class MatrixFile
{
    public static readonly IReadOnlyList<string> Extensions = [".csv", ".tsv", ".tab", ".txt", ".npy"];

    public static LabeledMatrix Read(string path, MatrixReadOptions? options = null)
    {
        options ??= MatrixReadOptions.Default;
        string ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext == ".npy") return ReadNpy(path, options);
        if (ext is not (".csv" or ".tsv" or ".tab" or ".txt"))
            throw new SimileException($"'{path}': unsupported file type '{ext}'",
                "give a .csv, .tsv or .npy file (rows = items, columns = features)");
        CheckExists(path);
        return ReadDelimited(path, ext, options);
    }

    internal static void CheckExists(string path)
    {
        if (Directory.Exists(path))
            throw new SimileException($"'{path}' is a folder, not a file", "give the path of a file");
        if (!File.Exists(path))
            throw new SimileException($"file not found: '{path}'", "check the path (relative paths start at the current folder)");
    }

    // ---------------------------------------------------------------- .npy + sidecar names

    private static LabeledMatrix ReadNpy(string path, MatrixReadOptions options)
    {
        var m = NpyFile.ReadMatrix(path);
        // --header does not apply to .npy (there is no header row); it is ignored so one option can serve mixed inputs.
        IReadOnlyList<string>? names = null;
        if (options.RowNames != Presence.No)
        {
            string stem = Path.Combine(Path.GetDirectoryName(path) ?? "", Path.GetFileNameWithoutExtension(path));
            string tsv = stem + ".words.tsv", txt = stem + ".words.txt";
            if (File.Exists(tsv)) names = WordListFile.Read(tsv, minimumWords: 1).Words;
            else if (File.Exists(txt)) names = ReadPlainNames(txt);
            if (names is null && options.RowNames == Presence.Yes)
                throw new SimileException($"{path}: item names were asked for but neither '{tsv}' nor '{txt}' exists",
                    "put the words next to the .npy as NAME.words.tsv (header 'word') or NAME.words.txt (one a line)");
            if (names is not null && names.Count != m.Rows)
                throw new SimileException(
                    $"{path}: has {m.Rows} rows but its word file '{(File.Exists(tsv) ? tsv : txt)}' lists {names.Count} words",
                    "make the word file list exactly one word per row of the array, in row order");
        }
        return new LabeledMatrix(m, names, null, path);
    }

    private static List<string> ReadPlainNames(string path)
    {
        var names = new List<string>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        int lineNo = 0;
        foreach (string raw in File.ReadLines(path))
        {
            lineNo++;
            string w = raw.Trim();
            if (w.Length == 0) continue;
            if (seen.TryGetValue(w, out int first))
                throw new SimileException($"{path}, line {lineNo}: duplicate word '{w}' (first on line {first})",
                    "list each word once");
            seen[w] = lineNo;
            names.Add(w);
        }
        return names;
    }

    // ---------------------------------------------------------------- CSV / TSV

    private enum Cell { Number, NonFinite, Text }

    private static Cell Classify(string s, out double value)
    {
        value = 0;
        if (s.Length == 0) return Cell.Text;
        string t = s.TrimStart('+', '-');
        if (t.Equals("nan", StringComparison.OrdinalIgnoreCase) || t.Equals("inf", StringComparison.OrdinalIgnoreCase)
            || t.Equals("infinity", StringComparison.OrdinalIgnoreCase) || t == "∞")
        {
            value = double.NaN;
            return Cell.NonFinite;
        }
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
            return double.IsFinite(value) ? Cell.Number : Cell.NonFinite;
        return Cell.Text;
    }

    /// <summary>',' for .csv, tab for .tsv/.tab; .txt: tab, else comma, else ' ' (runs of whitespace, numpy.savetxt's default).</summary>
    private static char DelimiterFor(string ext, string firstLine) => ext switch
    {
        ".csv" => ',',
        ".tsv" or ".tab" => '\t',
        _ => firstLine.Contains('\t') ? '\t' : firstLine.Contains(',') ? ',' : ' ',
    };

    /// <summary>Lines of whitespace-separated .txt files become tab-separated; '#' lines there are comments (numpy.loadtxt).</summary>
    private static string? Normalise(string line, char delim)
    {
        if (delim != ' ') return line;
        if (line.TrimStart().StartsWith('#')) return null;
        return string.Join('\t', line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>Splits one line; quoted fields keep their content verbatim, unquoted ones are trimmed.</summary>
    internal static List<string> SplitLine(string line, char delim, string path, int lineNo)
    {
        var fields = new List<string>();
        var sb = new StringBuilder();
        int i = 0;
        while (true)
        {
            while (i < line.Length && line[i] != delim && char.IsWhiteSpace(line[i])) i++;
            if (i < line.Length && line[i] == '"')
            {
                sb.Clear();
                i++;
                while (true)
                {
                    if (i >= line.Length)
                        throw new SimileException($"{path}, line {lineNo}, column {fields.Count + 1}: quoted field has no closing quote",
                            "close the quote (a quote inside a field is written as \"\"); fields cannot span lines");
                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"') { sb.Append('"'); i += 2; continue; }
                        i++;
                        break;
                    }
                    sb.Append(line[i++]);
                }
                while (i < line.Length && line[i] != delim && char.IsWhiteSpace(line[i])) i++;
                if (i < line.Length && line[i] != delim)
                    throw new SimileException($"{path}, line {lineNo}, column {fields.Count + 1}: text after a closing quote",
                        "quote the whole field, or remove the stray quote");
                fields.Add(sb.ToString());
            }
            else
            {
                int end = line.IndexOf(delim, i);
                if (end < 0) end = line.Length;
                fields.Add(line[i..end].Trim());
                i = end;
            }
            if (i >= line.Length) break;
            i++; // delimiter
            if (i == line.Length) { fields.Add(""); break; }
        }
        return fields;
    }

    private static LabeledMatrix ReadDelimited(string path, string ext, MatrixReadOptions options)
    {
        using var reader = OpenText(path);
        int lineNo = 0;
        char delim = '\0';

        // Next non-blank line, split.
        (List<string> Fields, int Line)? Next()
        {
            string? line;
            while ((line = reader.ReadLine()) is not null)
            {
                lineNo++;
                if (string.IsNullOrWhiteSpace(line)) continue;
                if (delim == '\0')
                {
                    if (ext == ".txt" && line.TrimStart().StartsWith('#')) continue;
                    delim = DelimiterFor(ext, line);
                }
                line = Normalise(line, delim);
                if (line is null) continue;
                return (SplitLine(line, delim == ' ' ? '\t' : delim, path, lineNo), lineNo);
            }
            return null;
        }

        var first = Next();
        if (first is null)
            throw new SimileException($"{path}: file is empty", "write one row per item: an optional name, then the feature values");
        var second = Next();

        bool header = options.Header switch
        {
            Presence.Yes => true,
            Presence.No => false,
            _ => LooksLikeHeader(first.Value.Fields, second?.Fields),
        };
        var firstData = header ? second : first;
        if (firstData is null)
            throw new SimileException($"{path}: has a header row (line {first.Value.Line}) but no data rows",
                "add one row per item below the header");
        bool names = options.RowNames switch
        {
            Presence.Yes => true,
            Presence.No => false,
            // Text in the first cell, or an empty header corner (pandas writes its index column under an empty
            // corner: those row labels are names, not a feature).
            _ => Classify(firstData.Value.Fields[0], out _) == Cell.Text
                 || (header && first.Value.Fields.Count > 1 && first.Value.Fields[0].Length == 0),
        };
        string delimName = delim switch { '\t' => "tab", ' ' => "whitespace", _ => "comma" };
        char fieldSep = delim == ' ' ? '\t' : delim;
        int width = header ? first.Value.Fields.Count : firstData.Value.Fields.Count;
        int widthLine = header ? first.Value.Line : firstData.Value.Line;
        int cols = width - (names ? 1 : 0);
        if (cols < 1)
            throw new SimileException($"{path}, line {firstData.Value.Line}: row has item names but no values",
                $"add feature values after each name ({delimName}-separated)");

        IReadOnlyList<string>? columnNames = header ? first.Value.Fields.Skip(names ? 1 : 0).ToList() : null;
        var rowNames = names ? new List<string>() : null;
        var nameLines = names ? new Dictionary<string, int>(StringComparer.Ordinal) : null;
        var values = new List<double>();
        int rows = 0;

        void AddRow(List<string> f, int line)
        {
            if (f.Count != width)
                throw new SimileException(
                    $"{path}, line {line}: row has {f.Count} {delimName}-separated fields, expected {width} (as on line {widthLine})",
                    "give every row the same number of fields (an item name, if any, then one value per feature)");
            int start = 0;
            if (names)
            {
                string name = f[0];
                if (name.Length == 0)
                    throw new SimileException($"{path}, line {line}, column 1: empty item name", "give every row a name in the first column");
                if (nameLines!.TryGetValue(name, out int firstLine))
                    throw new SimileException($"{path}, line {line}: duplicate item name '{name}' (first on line {firstLine})",
                        "give each row a distinct name");
                nameLines[name] = line;
                rowNames!.Add(name);
                start = 1;
            }
            for (int c = start; c < f.Count; c++)
            {
                switch (Classify(f[c], out double v))
                {
                    case Cell.Number: values.Add(v); break;
                    case Cell.NonFinite:
                        throw new SimileException($"{path}, line {line}, column {c + 1}: cell '{f[c]}' is NaN or infinite",
                            "replace or remove non-finite values; every cell must be a finite number");
                    default:
                        throw new SimileException(
                            $"{path}, line {line}, column {c + 1}: non-numeric cell '{(f[c].Length == 0 ? "(empty)" : Clip(f[c]))}'",
                            c == 0 && !names
                                ? "if the first column holds item names give it in every row (or force it with --row-names yes); otherwise use numbers with a dot decimal separator"
                                : "use numbers with a dot decimal separator (e.g. 0.25 or 1e-3); a header must be the first row");
                }
            }
            rows++;
        }

        AddRow(firstData.Value.Fields, firstData.Value.Line);
        if (!header && second is not null) AddRow(second.Value.Fields, second.Value.Line);
        // Remaining rows: a span-based fast path for plain numeric lines; anything unusual (quotes, a bad
        // cell, a wrong field count, a duplicate name) goes through the general path, which reports it.
        bool TryFastRow(string line)
        {
            int mark = values.Count, field = 0;
            string? name = null;
            ReadOnlySpan<char> rest = line;
            while (true)
            {
                int idx = rest.IndexOf(fieldSep);
                var cell = (idx < 0 ? rest : rest[..idx]).Trim();
                if (field >= width) break;
                if (field == 0 && names) name = cell.ToString();
                else if (double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v)) values.Add(v);
                else break;
                field++;
                if (idx < 0)
                {
                    if (field != width) break;
                    if (names)
                    {
                        if (name!.Length == 0 || nameLines!.ContainsKey(name)) break;
                        nameLines[name] = lineNo;
                        rowNames!.Add(name);
                    }
                    rows++;
                    return true;
                }
                rest = rest[(idx + 1)..];
            }
            values.RemoveRange(mark, values.Count - mark);
            return false;
        }

        string? raw;
        while ((raw = reader.ReadLine()) is not null)
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(raw)) continue;
            string? text = Normalise(raw, delim);
            if (text is null) continue;
            if (text.Contains('"') || !TryFastRow(text)) AddRow(SplitLine(text, fieldSep, path, lineNo), lineNo);
        }

        var matrix = new Matrix(rows, cols, values.ToArray());
        return new LabeledMatrix(matrix, rowNames, columnNames, path);
    }

    private static string Clip(string s) => s.Length <= 40 ? s : s[..40] + "…";

    private static bool LooksLikeHeader(List<string> row, List<string>? next)
    {
        if (row.Count > 1)
        {
            // Every cell after the first is text: column names ("word,d1,d2" or "x,y").
            bool restText = true;
            for (int c = 1; c < row.Count && restText; c++)
                restText = row[c].Length > 0 && Classify(row[c], out _) == Cell.Text;
            if (restText) return true;
        }
        // pandas' default column labels: the whole row is 0..k-1 (to_csv with index=False), or an empty corner
        // followed by 0..k-1 (index=True). A real data row is never exactly that sequence.
        if (row.Count >= 3 && IsSequence(row, 0, 0)) return true;   // not "0,1": a one-hot row of two features
        if (row.Count >= 2 && row[0].Length == 0 && (IsSequence(row, 1, 0) || IsSequence(row, 1, 1))) return true;
        bool firstIsText = Classify(row[0], out _) == Cell.Text;
        // A text corner over 0..k-1 or 1..k with k >= 3 ("word,0,1,2": pandas labels under a named index).
        if (firstIsText && row[0].Length > 0 && row.Count - 1 >= 3 && (IsSequence(row, 1, 0) || IsSequence(row, 1, 1)))
            return true;
        // A named first row above unnamed numeric rows can only be a header ("x" over a column of numbers).
        return firstIsText && row[0].Length > 0 && next is not null && next.Count > 0 && Classify(next[0], out _) == Cell.Number;
    }

    /// <summary>True when row[from..] are the integers start, start+1, … written plainly ("0", "1", …).</summary>
    private static bool IsSequence(List<string> row, int from, int start)
    {
        if (row.Count - from < 1) return false;
        for (int c = from; c < row.Count; c++)
            if (!int.TryParse(row[c], NumberStyles.None, CultureInfo.InvariantCulture, out int k) || k != start + c - from) return false;
        return true;
    }

    private static StreamReader OpenText(string path)
    {
        try { return new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SimileException($"cannot open '{path}': {e.Message}", "check the file's permissions", e);
        }
    }

    // ---------------------------------------------------------------- writing

    /// <summary>
    /// Writes <paramref name="m"/> atomically; the format follows the extension. CSV/TSV: full round-trip
    /// precision; with <paramref name="rowNames"/> the first column holds them; with <paramref name="columnNames"/>
    /// a header row is written (its corner cell is <paramref name="corner"/> when there are row names).
    /// .npy: float64 (names are not stored; see <see cref="NpyFile.WriteMatrix"/>).
    /// </summary>
    public static void Write(string path, Matrix m, IReadOnlyList<string>? rowNames = null,
        IReadOnlyList<string>? columnNames = null, string corner = "item")
    {
        string ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext == ".npy") { NpyFile.WriteMatrix(path, m); return; }
        if (ext is not (".csv" or ".tsv" or ".tab" or ".txt"))
            throw new SimileException($"output '{path}': unsupported file type '{ext}'", "name the output .csv, .tsv or .npy");
        if (rowNames is not null && rowNames.Count != m.Rows) throw new ArgumentException("one row name per row");
        if (columnNames is not null && columnNames.Count != m.Cols) throw new ArgumentException("one column name per column");
        char delim = ext == ".csv" ? ',' : '\t';
        AtomicFile.WriteText(path, w =>
        {
            if (columnNames is not null)
            {
                if (rowNames is not null) { w.Write(Quote(corner, delim)); w.Write(delim); }
                for (int j = 0; j < columnNames.Count; j++)
                {
                    if (j > 0) w.Write(delim);
                    w.Write(Quote(columnNames[j], delim));
                }
                w.WriteLine();
            }
            for (int i = 0; i < m.Rows; i++)
            {
                if (rowNames is not null) { w.Write(Quote(rowNames[i], delim)); w.Write(delim); }
                var row = m.RowReadOnly(i);
                for (int j = 0; j < row.Length; j++)
                {
                    if (j > 0) w.Write(delim);
                    w.Write(FormatNumber(row[j]));
                }
                w.WriteLine();
            }
        });
    }

    /// <summary>
    /// A labelled table as CSV text (comma-delimited, "\n" line ends): a header row (<paramref name="corner"/>, then the
    /// column names), then one row per row name with <paramref name="value"/>(i, j) in full precision
    /// (<see cref="FormatNumber"/>); non-finite cells are written as <paramref name="missing"/> when it is given.
    /// Names are quoted as in <see cref="Write"/>. For tables rendered in memory (report folders).
    /// </summary>
    public static string CsvText(string corner, IReadOnlyList<string> rowNames, IReadOnlyList<string> columnNames,
        Func<int, int, double> value, string? missing = null)
    {
        const char delim = ',';
        var sb = new StringBuilder();
        sb.Append(Quote(corner, delim));
        foreach (var c in columnNames) sb.Append(delim).Append(Quote(c, delim));
        sb.Append('\n');
        for (int i = 0; i < rowNames.Count; i++)
        {
            sb.Append(Quote(rowNames[i], delim));
            for (int j = 0; j < columnNames.Count; j++)
            {
                double v = value(i, j);
                sb.Append(delim).Append(missing is not null && !double.IsFinite(v) ? missing : FormatNumber(v));
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>Shortest text that parses back to the same double ("R"); NaN/Inf as numpy writes them.</summary>
    public static string FormatNumber(double v) =>
        double.IsNaN(v) ? "nan" : double.IsPositiveInfinity(v) ? "inf" : double.IsNegativeInfinity(v) ? "-inf"
        : v.ToString("R", CultureInfo.InvariantCulture);

    internal static string Quote(string s, char delim) =>
        s.IndexOfAny([delim, '"', '\n', '\r']) >= 0 || s != s.Trim()
            ? "\"" + s.Replace("\"", "\"\"") + "\""
            : s;
}
