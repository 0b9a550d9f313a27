using Simile.Data;
using Simile.Models;

namespace Simile.Analyses;

/// <summary>How one model's tokenizer (or static vocabulary) sees every requested word.</summary>
public sealed record ModelWordCheck(string Model, IReadOnlyList<WordTokens> Tokens)
{
    /// <summary>Words the model does not know at all (static vocabularies only; tokenizers always split).</summary>
    public IReadOnlyList<WordTokens> Missing => Tokens.Where(t => !t.Known).ToList();

    /// <summary>Known words that the tokenizer splits into more than one piece.</summary>
    public IReadOnlyList<WordTokens> MultiToken => Tokens.Where(t => t.Known && t.Ids.Count > 1).ToList();
}

/// <summary>A word left out because some model lacks it, with the models that lack it.</summary>
public sealed record SkippedWord(string Word, IReadOnlyList<string> MissingIn);

/// <summary>
/// The words every model is compared on (after skipping missing ones), the tokenization check per model and
/// one <see cref="VectorSet"/> per model, rows in <see cref="Words"/> order.
/// </summary>
public sealed record WordSelectionResult(
    WordList Words,
    SubwordPolicy Policy,
    IReadOnlyList<ModelWordCheck> Checks,
    IReadOnlyList<SkippedWord> Skipped,
    IReadOnlyList<VectorSet> Vectors);

/// <summary>
/// Checks a word list against several models: duplicates and too-short lists, words a model lacks (error naming
/// them per model, or dropped from every model with <c>skipMissing</c>), and words split into several tokens
/// (error naming each with its pieces under <see cref="SubwordPolicy.Error"/>, pooled otherwise).
/// </summary>
public static class WordSelection
{
    /// <summary>The fewest words a similarity matrix comparison makes sense for (3 words = 3 pairs).</summary>
    public const int MinimumWords = 3;

    /// <summary>Throws <see cref="SimileException"/> for duplicate words, empty words or fewer than three words.</summary>
    public static void Validate(WordList words, string? origin = null)
    {
        string where = origin is null ? "the word list" : $"word list {origin}";
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var duplicates = new List<string>();
        for (int i = 0; i < words.Count; i++)
        {
            string w = words.Words[i];
            if (string.IsNullOrWhiteSpace(w))
                throw new SimileException($"{where} has an empty word at position {i + 1}", "remove the empty entry");
            if (seen.TryGetValue(w, out int first))
                duplicates.Add($"'{w}' (positions {first + 1} and {i + 1})");
            else seen[w] = i;
        }
        if (duplicates.Count > 0)
            throw new SimileException($"{where} repeats {Plural(duplicates.Count, "word")}: {string.Join(", ", duplicates)}",
                "list each word once (a repeated word would be compared with itself)");
        if (words.Count < MinimumWords)
            throw new SimileException($"{where} has {Plural(words.Count, "word")}; comparing similarity matrices needs at least {MinimumWords}",
                "give at least three different words");
    }

    /// <summary>
    /// Runs the tokenization check on every model, resolves missing and multi-token words per the options and
    /// returns the vectors of the surviving words from every model (same words, same order).
    /// </summary>
    public static WordSelectionResult Select(WordList words, IReadOnlyList<IWordEmbeddings> models,
        SubwordPolicy policy, bool skipMissing)
    {
        ArgumentNullException.ThrowIfNull(words);
        if (models.Count == 0) throw new SimileException("no model given", "name at least one model with --model");
        Validate(words);

        var checks = models.Select(m => new ModelWordCheck(m.Info.Name, words.Words.Select(m.Tokenize).ToList())).ToList();

        // Missing words: an error naming them per model, or dropped from every model.
        var missingIn = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var check in checks)
            foreach (var t in check.Missing)
            {
                if (!missingIn.TryGetValue(t.Word, out var list)) missingIn[t.Word] = list = [];
                list.Add(check.Model);
            }
        var skipped = new List<SkippedWord>();
        if (missingIn.Count > 0)
        {
            if (!skipMissing)
            {
                var perModel = checks.Where(c => c.Missing.Count > 0)
                    .Select(c => $"{c.Model} lacks {string.Join(", ", c.Missing.Select(t => "'" + t.Word + "'"))}");
                throw new SimileException($"some words are not in every model's vocabulary: {string.Join("; ", perModel)}",
                    "remove or replace those words, or pass --skip-missing to drop them from every model");
            }
            foreach (string w in words.Words)
                if (missingIn.TryGetValue(w, out var lacking)) skipped.Add(new SkippedWord(w, lacking));
        }

        var keep = Enumerable.Range(0, words.Count).Where(i => !missingIn.ContainsKey(words.Words[i])).ToList();
        var kept = new WordList(keep.Select(i => words.Words[i]).ToList(), keep.Select(i => words.Categories[i]).ToList());
        if (kept.Count < MinimumWords)
            throw new SimileException(
                $"only {Plural(kept.Count, "word")} of {words.Count} {(kept.Count == 1 ? "is" : "are")} known to every model after skipping missing words ({string.Join(", ", skipped.Select(s => s.Word))})",
                "use words every model knows; at least three are needed");
        var keptSet = new HashSet<string>(kept.Words, StringComparer.Ordinal);
        checks = checks.Select(c => new ModelWordCheck(c.Model, c.Tokens.Where(t => keptSet.Contains(t.Word)).ToList())).ToList();

        // Multi-token words: an error naming each with its pieces, unless a pooling policy is chosen.
        if (policy == SubwordPolicy.Error)
        {
            var split = checks.Where(c => c.MultiToken.Count > 0)
                .Select(c => $"{c.Model} splits {string.Join(", ", c.MultiToken.Select(t => $"'{t.Word}' into {string.Join(" + ", t.Pieces)}"))}")
                .ToList();
            if (split.Count > 0)
                throw new SimileException($"some words are not single tokens: {string.Join("; ", split)}",
                    "use single-token words, or pass --subword mean|first|last to pool the pieces' embeddings");
        }

        var vectors = new List<VectorSet>(models.Count);
        for (int m = 0; m < models.Count; m++)
        {
            var v = models[m].Vectors(kept.Words, policy);
            if (v.Count != kept.Count || !v.Words.SequenceEqual(kept.Words, StringComparer.Ordinal))
                throw new InvalidOperationException($"{models[m].Info.Name} returned {v.Count} vectors for {kept.Count} words, or in another order");
            vectors.Add(v);
        }
        return new WordSelectionResult(kept, policy, checks, skipped, vectors);
    }

    internal static string Plural(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";
}
