using System.Globalization;
using System.Text;

namespace Simile.Analyses.Targets;

/// <summary>What a target holds: human similarity ratings of word pairs, or dissimilarity matrices (one per subject) over words.</summary>
public enum TargetKind { Pairs, Rdm }

/// <summary>
/// A target to compare models with: a list of word pairs, each with one value per subject. <see cref="Words"/> are the
/// distinct words (in order of first appearance, or the first RDM file's order); pair p is
/// (<see cref="Words"/>[<see cref="PairA"/>[p]], <see cref="Words"/>[<see cref="PairB"/>[p]]).
/// Pair files: one subject, the ratings are similarities, every line a pair (duplicates kept, a pair may repeat a word).
/// RDM files: k subjects (one per file), the pairs are the upper triangle in condensed order over <see cref="Words"/>,
/// the values dissimilarities.
/// </summary>
public sealed record Target(string Name, TargetKind Kind, IReadOnlyList<string> Words, int[] PairA, int[] PairB,
    IReadOnlyList<double[]> Subjects, IReadOnlyList<string> Files)
{
    public int PairCount => PairA.Length;
    public int SubjectCount => Subjects.Count;
    /// <summary>"pairs" or "rdm" (results.json).</summary>
    public string KindName => Kind == TargetKind.Pairs ? "pairs" : "rdm";
}

/// <summary>
/// Reads target files and tells their format apart by content:
/// <list type="bullet">
/// <item>word-pair ratings: two word columns and a numeric score column — SimLex-999 (tab, header
///   <c>word1 word2 POS SimLex999 …</c>, or 3 columns), WordSim-353 (<c>Word 1,Word 2,Human (mean)</c> CSV, or tab with
///   <c>#</c> comment lines), MEN (space-separated, no header; the lemma form's part-of-speech suffixes -n/-v/-j are
///   dropped when every word has one), generic <c>word1&lt;TAB&gt;word2&lt;TAB&gt;score</c> with or
///   without a header; LF or CRLF; every line is a pair;</item>
/// <item>an RDM over words: a square CSV/TSV of dissimilarities with the words as header row and first column (the
///   corner cell may be empty or hold a label); RDM files over the same word set (any order) form one target with one
///   subject per file.</item>
/// </list>
/// Delimiter: tab when the first content line has one, else comma when it has one, else runs of spaces. Lines that are
/// blank or start with <c>#</c> are skipped. Every problem is a <see cref="SimileException"/> naming the file and line.
/// </summary>
public static class TargetFile
{
    /// <summary>Fewest pairs a target may have (a correlation over fewer is not informative).</summary>
    public const int MinimumPairs = 3;

    /// <summary>Score-column names recognised in a header (lower case, compared after trimming).</summary>
    private static readonly string[] ScoreNames =
        ["simlex999", "human (mean)", "score", "similarity", "sim", "rating", "relatedness", "mean", "value", "men"];

    /// <summary>Reads every file; RDM files over the same words become one target with one subject per file.</summary>
    public static IReadOnlyList<Target> ReadAll(IReadOnlyList<string> paths)
    {
        var targets = new List<Target>();
        var rdmGroups = new List<(List<string> Files, List<string> Words, List<double[]> Subjects)>();
        foreach (var path in paths)
        {
            var parsed = Read(path);
            if (parsed.Kind == TargetKind.Pairs) { targets.Add(parsed); continue; }
            var set = new HashSet<string>(parsed.Words, StringComparer.Ordinal);
            var group = rdmGroups.FirstOrDefault(g => set.SetEquals(g.Words));
            if (group.Files is null)
            {
                foreach (var g in rdmGroups)
                    if (g.Words.Any(set.Contains))
                    {
                        var onlyHere = parsed.Words.Where(w => !g.Words.Contains(w)).Take(5).ToList();
                        var onlyThere = g.Words.Where(w => !set.Contains(w)).Take(5).ToList();
                        throw new SimileException(
                            $"subject RDMs '{g.Files[0]}' and '{path}' share words but not all of them " +
                            $"(only in the second: {Listed(onlyHere)}; only in the first: {Listed(onlyThere)})",
                            "give every subject's RDM over the same words (any order); RDM files over the same words form one target with one subject per file");
                    }
                rdmGroups.Add(([path], parsed.Words.ToList(), [parsed.Subjects[0]]));
                continue;
            }
            // Reorder this subject's condensed values into the group's word order.
            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < parsed.Words.Count; i++) index[parsed.Words[i]] = i;
            int n = group.Words.Count;
            var v = new double[(long)n * (n - 1) / 2];
            long k = 0;
            for (int i = 0; i < n; i++)
                for (int j = i + 1; j < n; j++)
                    v[k++] = parsed.Subjects[0][Condensed(n, index[group.Words[i]], index[group.Words[j]])];
            group.Files.Add(path);
            group.Subjects.Add(v);
        }
        foreach (var (files, words, subjects) in rdmGroups)
        {
            var (a, b) = AllPairs(words.Count);
            targets.Add(new Target(Stem(files[0]), TargetKind.Rdm, words, a, b, subjects, files));
        }
        var dup = targets.GroupBy(t => t.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null)
            throw new SimileException($"two targets are both named '{dup.Key}' (targets are named by their file name without the extension)",
                "rename one of the files");
        return targets;
    }

    /// <summary>One file: a pair list, or one subject's RDM.</summary>
    public static Target Read(string path)
    {
        if (Directory.Exists(path)) throw new SimileException($"target '{path}' is a folder, not a file", "give the path of a ratings file or an RDM file");
        if (!File.Exists(path)) throw new SimileException($"target file '{path}' does not exist", "check the path given to --target");
        string text;
        try { text = File.ReadAllText(path, new UTF8Encoding(false, true)); }
        catch (DecoderFallbackException) { throw new SimileException($"target file '{path}' is not UTF-8 text", "save the file as UTF-8"); }
        catch (IOException e) { throw new SimileException($"cannot read target file '{path}': {e.Message}", "check the file and its permissions"); }
        return Parse(text, path);
    }

    /// <summary>Parses the text of a target file (<paramref name="path"/> names it in messages and gives the target's name).</summary>
    public static Target Parse(string text, string path)
    {
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        var lines = new List<(int Line, string Text)>();
        int no = 0;
        foreach (var raw in text.Split('\n'))
        {
            no++;
            string line = raw.EndsWith('\r') ? raw[..^1] : raw;
            if (line.Trim().Length == 0 || line.TrimStart().StartsWith('#')) continue;
            if (line.Contains('\0')) throw new SimileException($"{path}, line {no}: holds a NUL byte, so it is not a text file", "give a text file of word pairs and scores, or an RDM");
            lines.Add((no, line));
        }
        if (lines.Count == 0)
            throw new SimileException($"target file '{path}' has no pairs (it is empty or only comments)",
                "give a file of word pairs with a score per line (word1<TAB>word2<TAB>score), or a square RDM with words as header row and first column");
        char? delimiter = lines[0].Text.Contains('\t') ? '\t' : lines[0].Text.Contains(',') ? ',' : null;
        var rows = lines.Select(l => (l.Line, Cells: Split(l.Text, delimiter))).ToList();
        if (LooksLikeRdm(rows)) return ParseRdm(rows, path);
        return ParsePairs(rows, path);
    }

    private static string[] Split(string line, char? delimiter) =>
        delimiter is { } d
            ? line.Split(d).Select(c => Unquote(c.Trim())).ToArray()
            : line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    private static string Unquote(string c) => c.Length >= 2 && c[0] == '"' && c[^1] == '"' ? c[1..^1].Replace("\"\"", "\"") : c;

    /// <summary>
    /// An RDM when the header's first cell is empty (a corner) and the row count matches, or when the first cells of
    /// the other rows are words of the header row (and not numbers).
    /// </summary>
    private static bool LooksLikeRdm(List<(int Line, string[] Cells)> rows)
    {
        var header = rows[0].Cells;
        if (header.Length >= 2 && header[0].Length == 0) return true;
        if (rows.Count < 2 || header.Length < 2) return false;
        var names = new HashSet<string>(header, StringComparer.Ordinal);
        int hits = rows.Skip(1).Count(r => r.Cells.Length > 0 && names.Contains(r.Cells[0]) && !IsNumber(r.Cells[0]));
        return hits == rows.Count - 1 && rows.Skip(1).All(r => r.Cells.Skip(1).All(IsNumberLike));
    }

    private static bool IsNumber(string s) => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    private static bool IsNumberLike(string s) => IsNumber(s) || s.Trim().TrimStart('+', '-').ToLowerInvariant() is "nan" or "inf" or "infinity";

    private static Target ParseRdm(List<(int Line, string[] Cells)> rows, string path)
    {
        var header = rows[0].Cells;
        int m = rows.Count - 1;
        // Words in the header: everything after the corner when the data rows are as wide as the header, else all of it.
        bool corner = header[0].Length == 0 || (m > 0 && rows[1].Cells.Length == header.Length);
        var words = (corner ? header.Skip(1) : header).ToList();
        int n = words.Count;
        const string fix = "give a square matrix of dissimilarities: a header row with the n words, then n rows each starting with a word";
        if (n < 3) throw new SimileException($"{path}: an RDM needs at least 3 words, the header names {n}", fix);
        if (m != n) throw new SimileException($"{path}: the RDM is not square: the header names {n} words but {m} rows follow", fix);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < n; i++)
        {
            if (words[i].Length == 0) throw new SimileException($"{path}, line {rows[0].Line}: column {i + 2} of the header has no word", fix);
            if (!seen.TryAdd(words[i], i)) throw new SimileException($"{path}, line {rows[0].Line}: the word '{words[i]}' is in the header twice", "list each word once");
        }
        var full = new double[n, n];
        var rowSeen = new bool[n];
        foreach (var (line, cells) in rows.Skip(1))
        {
            if (cells.Length != n + 1)
                throw new SimileException($"{path}, line {line}: has {cells.Length} fields, expected {n + 1} (a word and {n} dissimilarities)", fix);
            if (!seen.TryGetValue(cells[0], out int i))
                throw new SimileException($"{path}, line {line}: the row word '{cells[0]}' is not in the header", "use the same words as header row and first column");
            if (rowSeen[i]) throw new SimileException($"{path}, line {line}: the row of '{cells[0]}' is given twice", "give one row per word");
            rowSeen[i] = true;
            for (int j = 0; j < n; j++)
                full[i, j] = Number(cells[j + 1], path, line, j + 2);
        }
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                double a = full[i, j], b = full[j, i];
                if (Math.Abs(a - b) > 1e-9 * Math.Max(1.0, Math.Max(Math.Abs(a), Math.Abs(b))))
                    throw new SimileException($"{path}: the RDM is not symmetric: ('{words[i]}', '{words[j]}') is {a.ToString("R", CultureInfo.InvariantCulture)} " +
                                              $"but ('{words[j]}', '{words[i]}') is {b.ToString("R", CultureInfo.InvariantCulture)}",
                        "give a symmetric dissimilarity matrix (the upper triangle is used)");
            }
        var v = new double[(long)n * (n - 1) / 2];
        long k = 0;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) v[k++] = full[i, j];
        CheckNotConstant(v, path);
        var (pa, pb) = AllPairs(n);
        return new Target(Stem(path), TargetKind.Rdm, words, pa, pb, [v], [path]);
    }

    private static Target ParsePairs(List<(int Line, string[] Cells)> rows, string path)
    {
        const string fix = "give one pair per line: word1, word2 and a numeric score (tab-, comma- or space-separated), optionally under a header line";
        var first = rows[0].Cells;
        if (first.Length < 3)
            throw new SimileException($"{path}, line {rows[0].Line}: has {first.Length} field{(first.Length == 1 ? "" : "s")}; a pair needs two words and a score", fix);
        // A header is a first line that names a score column after the two words (WordSim-353's set files add rater
        // columns named 1, 2, …), or that has no number in any column after the two words.
        bool header = first.Skip(2).Any(c => ScoreNames.Contains(c.Trim().ToLowerInvariant())) || !first.Skip(2).Any(IsNumberLike);
        int score;
        if (header)
        {
            score = -1;
            for (int c = 2; c < first.Length && score < 0; c++)
                if (ScoreNames.Contains(first[c].Trim().ToLowerInvariant())) score = c;
            if (score < 0)
            {
                if (rows.Count < 2) throw new SimileException($"target file '{path}' has a header line but no pairs", fix);
                var next = rows[1].Cells;
                for (int c = 2; c < Math.Min(first.Length, next.Length) && score < 0; c++)
                    if (IsNumberLike(next[c])) score = c;
                if (score < 0)
                    throw new SimileException($"{path}, line {rows[1].Line}: no numeric score column after the two words", fix);
            }
        }
        else
        {
            score = 2;
            while (score < first.Length && !IsNumberLike(first[score])) score++;
        }
        int width = first.Length;
        var data = header ? rows.Skip(1).ToList() : rows;
        if (data.Count == 0) throw new SimileException($"target file '{path}' has a header line but no pairs", fix);
        // MEN's lemma form (MEN_dataset_lemma_form_full) tags every word with its part of speech: sun-n, run-v, dark-j.
        bool posTags = data.All(r => r.Cells.Length >= 2 && PosTagged(r.Cells[0]) && PosTagged(r.Cells[1]));
        var words = new List<string>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var a = new int[data.Count];
        var b = new int[data.Count];
        var values = new double[data.Count];
        for (int p = 0; p < data.Count; p++)
        {
            var (line, cells) = data[p];
            if (cells.Length != width)
                throw new SimileException($"{path}, line {line}: has {cells.Length} field{(cells.Length == 1 ? "" : "s")}, expected {width} like line {rows[0].Line}", fix);
            for (int c = 0; c < 2; c++)
                if (cells[c].Length == 0) throw new SimileException($"{path}, line {line}: word {c + 1} is empty", fix);
            a[p] = Index(cells[0]);
            b[p] = Index(cells[1]);
            values[p] = Number(cells[score], path, line, score + 1);
        }
        if (data.Count < MinimumPairs)
            throw new SimileException($"target file '{path}' has {data.Count} pair{(data.Count == 1 ? "" : "s")}; at least {MinimumPairs} are needed for a correlation", fix);
        CheckNotConstant(values, path);
        return new Target(Stem(path), TargetKind.Pairs, words, a, b, [values], [path]);

        int Index(string w)
        {
            if (posTags) w = w[..^2];
            if (!index.TryGetValue(w, out int i)) { i = words.Count; words.Add(w); index[w] = i; }
            return i;
        }
    }

    /// <summary>A word with MEN's part-of-speech suffix: -n (noun), -v (verb) or -j (adjective).</summary>
    private static bool PosTagged(string w) => w.Length > 2 && w[^2] == '-' && (w[^1] is 'n' or 'v' or 'j');

    private static double Number(string cell, string path, int line, int column)
    {
        if (!double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
            throw new SimileException($"{path}, line {line}, column {column}: '{Short(cell)}' is not a number",
                "write scores as plain numbers with a decimal point, e.g. 7.35");
        if (!double.IsFinite(v))
            throw new SimileException($"{path}, line {line}, column {column}: the value is {Short(cell)}, not a finite number",
                "give every pair a finite score (leave out pairs without one)");
        return v;
    }

    private static void CheckNotConstant(double[] v, string path)
    {
        if (v.All(x => x == v[0]))
            throw new SimileException($"target file '{path}': every value is {v[0].ToString(CultureInfo.InvariantCulture)}, so no correlation is defined",
                "give ratings or dissimilarities that vary");
    }

    private static string Short(string s) => s.Length <= 40 ? s : s[..40] + "…";

    private static string Listed(List<string> words) => words.Count == 0 ? "none" : string.Join(", ", words.Select(w => "'" + w + "'"));

    /// <summary>The file name without its extension.</summary>
    public static string Stem(string path) => Path.GetFileNameWithoutExtension(path);

    private static long Condensed(int n, int i, int j) => Simile.Similarity.CondensedIndex.Of(n, i, j);

    private static (int[] A, int[] B) AllPairs(int n)
    {
        long m = (long)n * (n - 1) / 2;
        var a = new int[m];
        var b = new int[m];
        long k = 0;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) { a[k] = i; b[k] = j; k++; }
        return (a, b);
    }
}
