using System.Text;

namespace Simile.Data;

/// <summary>
/// Word lists as TSV: a header row naming the columns, <c>word</c> required and <c>category</c> optional
/// (any order, other columns ignored), then one word a line. Blank lines are skipped; words and categories
/// are trimmed; an empty category is "none". Errors name the file and line: missing header, empty word,
/// duplicate word (both lines), fewer than <c>minimumWords</c> words (3 by default: RSA needs at least 3 pairs).
/// </summary>
public static class WordListFile
{
    public const int DefaultMinimumWords = 3;

    public static WordList Read(string path, int minimumWords = DefaultMinimumWords)
    {
        MatrixFile.CheckExists(path);
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Parse(reader, path, minimumWords);
    }

    /// <summary>
    /// The 34 seed words (space, furniture, fruit) that the demo uses: <c>data/seed-words.tsv</c>, built into the
    /// library so that an installed tool, a script or a notebook has them without the repository.
    /// </summary>
    public static WordList SeedWords()
    {
        const string resource = "Simile.Data.seed-words.tsv";
        using var stream = typeof(WordListFile).Assembly.GetManifestResourceStream(resource)
                           ?? throw new InvalidOperationException($"resource {resource} is missing from the Simile assembly");
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Parse(reader, "data/seed-words.tsv");
    }

    /// <summary>Parses word-list text; <paramref name="path"/> is only used in messages.</summary>
    public static WordList Parse(TextReader reader, string path, int minimumWords = DefaultMinimumWords)
    {
        int lineNo = 0, headerLine = 0;
        int wordCol = -1, categoryCol = -1;
        var words = new List<string>();
        var categories = new List<string?>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var fields = line.Split('\t');
            if (headerLine == 0)
            {
                headerLine = lineNo;
                for (int c = 0; c < fields.Length; c++)
                {
                    string h = fields[c].Trim().ToLowerInvariant();
                    if (h == "word" && wordCol < 0) wordCol = c;
                    else if (h == "category" && categoryCol < 0) categoryCol = c;
                }
                if (wordCol < 0)
                    throw new SimileException(
                        $"{path}, line {lineNo}: missing header: the first line must name the columns, with a 'word' column (found '{Clip(line)}')",
                        "add a first line 'word' (or 'word<TAB>category'), tab-separated");
                continue;
            }
            string word = wordCol < fields.Length ? fields[wordCol].Trim() : "";
            if (word.Length == 0)
                throw new SimileException($"{path}, line {lineNo}: empty word (column {wordCol + 1})",
                    "put a word on every line, or delete the line");
            if (seen.TryGetValue(word, out int first))
                throw new SimileException($"{path}, line {lineNo}: duplicate word '{word}' (also on line {first})",
                    "list each word once");
            seen[word] = lineNo;
            words.Add(word);
            string? cat = categoryCol >= 0 && categoryCol < fields.Length ? fields[categoryCol].Trim() : null;
            categories.Add(string.IsNullOrEmpty(cat) ? null : cat);
        }
        if (headerLine == 0)
            throw new SimileException($"{path}: word list is empty", "write a header line 'word<TAB>category', then one word a line");
        if (words.Count < minimumWords)
            throw new SimileException($"{path}: has {words.Count} word{(words.Count == 1 ? "" : "s")}, at least {minimumWords} are needed",
                $"list at least {minimumWords} words (one a line, below the header)");
        return new WordList(words, categories);
    }

    /// <summary>Writes a word list (with the category column when any word has one) atomically.</summary>
    public static void Write(string path, WordList list)
    {
        AtomicFile.WriteText(path, w =>
        {
            bool cats = list.HasCategories;
            w.WriteLine(cats ? "word\tcategory" : "word");
            for (int i = 0; i < list.Count; i++)
                w.WriteLine(cats ? $"{list.Words[i]}\t{list.Categories[i] ?? ""}" : list.Words[i]);
        });
    }

    private static string Clip(string s) { s = s.Replace('\t', ' '); return s.Length <= 40 ? s : s[..40] + "…"; }
}
