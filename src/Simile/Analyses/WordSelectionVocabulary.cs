using Simile.Data;
using Simile.Models;

namespace Simile.Analyses;

/// <summary>The words every model knows as one whole token/entry, how many there were and which filters applied.</summary>
public sealed record SharedVocabulary(
    WordList Words,
    int SharedCount,            // letter-only words in every model's vocabulary
    int AfterRankFilter,        // of those, words at or beyond the minimum frequency rank
    string FrequencyOrderFrom,  // the model whose vocabulary order ranks the words
    int? Limit,
    int? MinFrequencyRank);

public static partial class WordSelectionVocabulary
{
    /// <summary>
    /// The shared vocabulary for whole-vocabulary RSA: words of two or more letters (nothing else) that are a single whole token
    /// (or entry) in every model, ranked by the vocabulary order of the first static model (word-vector files such
    /// as GloVe are sorted by corpus frequency; BERT vocabularies are not), else of the first model.
    /// <paramref name="minFrequencyRank"/> R keeps words at 1-based rank ≥ R (skipping the R−1 most frequent);
    /// <paramref name="limit"/> N then keeps the first N.
    /// </summary>
    public static SharedVocabulary Select(IReadOnlyList<IWordEmbeddings> models, int? limit = null, int? minFrequencyRank = null)
    {
        if (models.Count == 0) throw new SimileException("no model given", "name at least two models with --model");
        if (limit is < WordSelection.MinimumWords)
            throw new SimileException($"--limit is {limit}", $"give at least {WordSelection.MinimumWords}");
        if (minFrequencyRank is < 1)
            throw new SimileException($"--min-frequency-rank is {minFrequencyRank}", "ranks start at 1 (the most frequent word)");

        var ranking = models.FirstOrDefault(m => m.Info.Architecture == "static") ?? models[0];
        var others = models.Where(m => !ReferenceEquals(m, ranking))
            .Select(m => new HashSet<string>(m.VocabularyWords(), StringComparer.Ordinal)).ToList();

        var shared = new List<(string Word, int Rank)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var vocabulary = ranking.VocabularyWords();
        for (int i = 0; i < vocabulary.Count; i++)
        {
            string w = vocabulary[i];
            if (!IsLetterWord(w) || !seen.Add(w)) continue;
            if (others.All(o => o.Contains(w))) shared.Add((w, i + 1));
        }
        int sharedCount = shared.Count;
        if (minFrequencyRank is int r) shared = shared.Where(s => s.Rank >= r).ToList();
        int afterRank = shared.Count;
        if (limit is int n && shared.Count > n) shared = shared.Take(n).ToList();
        if (shared.Count < WordSelection.MinimumWords)
            throw new SimileException(
                $"only {shared.Count} words are shared by {string.Join(", ", models.Select(m => m.Info.Name))} after the filters " +
                $"({sharedCount} shared{(minFrequencyRank is null ? "" : $", {afterRank} at rank ≥ {minFrequencyRank}")})",
                "lower --min-frequency-rank, raise --limit, or use models with overlapping vocabularies");
        var words = new WordList(shared.Select(s => s.Word).ToList(), shared.Select(_ => (string?)null).ToList());
        return new SharedVocabulary(words, sharedCount, afterRank, ranking.Info.Name, limit, minFrequencyRank);
    }

    /// <summary>
    /// Letters only (any script), at least two: drops numbers, punctuation, BERT's [unused] markers and the single
    /// characters that open BERT vocabularies.
    /// </summary>
    public static bool IsLetterWord(string w)
    {
        if (w.Length < 2) return false;
        foreach (char c in w) if (!char.IsLetter(c)) return false;
        return true;
    }
}
